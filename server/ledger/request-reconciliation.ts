import type { DbOrTx } from "@/db/client";
import { outbox } from "@/db/schema";
import type { SessionUser } from "@/server/auth/users";
import { writeAudit } from "@/server/console/audit";

/**
 * An operator asks for a reconciliation pass now: the event goes through the outbox (one id per
 * minute, so a burst of clicks asks once) and the request is audited.
 */
export async function requestReconciliation(
  db: DbOrTx,
  actor: Pick<SessionUser, "id" | "email">,
  now = new Date(),
): Promise<{ eventId: string }> {
  const eventId = `ledger.reconcile/${now.toISOString().slice(0, 16)}`;
  await db.transaction(async (tx) => {
    await tx.insert(outbox).values({ id: eventId, name: "ledger/reconcile.requested", data: {} }).onConflictDoNothing();
    await writeAudit(tx, actor, { action: "ledger.reconcile_requested", targetType: "ledger", targetId: eventId });
  });
  return { eventId };
}
