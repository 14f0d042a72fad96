import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alerts } from "@/db/schema";
import { writeAudit, type Actor } from "@/server/console/audit";
import { AppError, AppErrorCode } from "@/server/errors";

/** The alerts operators see in the console, and acknowledging one (audited). */
export async function listAlerts(db: Db, includeAcknowledged = false) {
  return db
    .select()
    .from(alerts)
    .where(includeAcknowledged ? undefined : isNull(alerts.acknowledgedAt))
    .orderBy(desc(alerts.lastSeenAt))
    .limit(200);
}

export async function acknowledgeAlert(db: Db, actor: Actor, alertId: string) {
  return db.transaction(async (tx) => {
    const [after] = await tx
      .update(alerts)
      .set({ acknowledgedAt: new Date(), acknowledgedBy: actor.id })
      .where(and(eq(alerts.id, alertId), isNull(alerts.acknowledgedAt)))
      .returning();
    if (!after) throw new AppError(AppErrorCode.NOT_FOUND, "no open alert with this id");
    await writeAudit(tx, actor, {
      action: "alert.acknowledge",
      targetType: "alert",
      targetId: alertId,
      after: { acknowledgedAt: after.acknowledgedAt },
    });
    return after;
  });
}
