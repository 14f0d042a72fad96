import { notFound } from "next/navigation";
import { currentUser } from "@/adapters/trpc/server";

/** Operator pages answer 404 to merchants (the procedures refuse them anyway). */
export async function requireOperator(): Promise<void> {
  if ((await currentUser())?.role !== "operator") notFound();
}
