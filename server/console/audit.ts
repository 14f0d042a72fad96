import { desc } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { SessionUser } from "@/server/auth/users";

/** Who did it: the signed-in operator (an audit row names them by id and email). */
export type Actor = Pick<SessionUser, "id" | "email">;

/** Every operator action leaves a row: who, when, what, before and after (same transaction). */
export async function writeAudit(
  db: DbOrTx,
  actor: Actor,
  e: { action: string; targetType: string; targetId?: string; before?: unknown; after?: unknown },
): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: actor.id,
    actorEmail: actor.email,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}

/** A row the broker writes on its own (no signed-in actor), e.g. a sign-in lockout. */
export async function writeSystemAudit(
  db: DbOrTx,
  e: { action: string; targetType: string; targetId?: string; after?: unknown },
): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: null,
    actorEmail: null,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: null,
    after: e.after ?? null,
  });
}

export async function listAudit(db: DbOrTx, limit = 100) {
  const rows = await db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(limit);
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}
