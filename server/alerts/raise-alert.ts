import { isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { alerts, outbox } from "@/db/schema";

export interface AlertInput {
  kind: string;
  /** One open alert per key: raising it again only bumps occurrences and last_seen_at. */
  dedupeKey: string;
  message: string;
  severity?: "info" | "warning" | "critical";
  assetId?: string;
  orderId?: string;
  data?: Record<string, unknown>;
}

/**
 * Store an alert for operators (the console lists them) and queue its delivery (Mixin message,
 * webhook) through the outbox. A repeat of an open alert is counted, not re-delivered.
 */
export async function raiseAlert(db: DbOrTx, a: AlertInput): Promise<{ id: string; isNew: boolean }> {
  return db.transaction(async (tx) => {
    // One atomic upsert on the partial unique index of open alerts: concurrent raises of the
    // same key (50 create_orders answered 11002 at once) count up instead of colliding.
    const [row] = await tx
      .insert(alerts)
      .values({
        kind: a.kind,
        dedupeKey: a.dedupeKey,
        message: a.message,
        severity: a.severity ?? "warning",
        assetId: a.assetId,
        orderId: a.orderId,
        data: a.data ?? {},
      })
      .onConflictDoUpdate({
        target: alerts.dedupeKey,
        targetWhere: isNull(alerts.acknowledgedAt),
        set: {
          occurrences: sql`${alerts.occurrences} + 1`,
          lastSeenAt: new Date(),
          message: a.message,
          data: a.data ?? {},
        },
      })
      .returning({ id: alerts.id, isNew: sql<boolean>`(xmax = 0)` });
    if (row!.isNew) {
      await tx
        .insert(outbox)
        .values({ id: `alert.raised/${row!.id}`, name: "alert/raised", data: { alertId: row!.id } })
        .onConflictDoNothing();
    }
    return { id: row!.id, isNew: row!.isNew };
  });
}
