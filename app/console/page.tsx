import { redirect } from "next/navigation";
import { createContext } from "@/adapters/trpc/context";

export default async function ConsoleHome() {
  const { user } = await createContext();
  redirect(user?.role === "operator" ? "/console/overview" : "/console/payments");
}
