import { getDb } from "@/db";
import { dispatchOutbox } from "@/inngest/dispatch";
import { auth } from "@/adapters/auth/auth";
import { loadSessionUser } from "@/server/auth/users";
import type { Context } from "./init";

/** The request's context: the store and the signed-in user (re-read, so disabled users are out). */
export async function createContext(): Promise<Context> {
  const db = await getDb();
  const session = (await auth()) as { userId?: string } | null;
  const user = session?.userId ? await loadSessionUser(db, session.userId) : null;
  return { db, user, dispatchOutbox };
}
