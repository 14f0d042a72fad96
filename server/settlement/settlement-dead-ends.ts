import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orderEvents, orders } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";

/**
 * Settling orders that MixPay reported failed (settlement.mixpay_failed on the timeline) more
 * than `waitMs` ago and whose refund never came back: without this they would stay `settling`
 * forever, redriven and never looked at. Each gets one critical alert; the way out is the
 * audited operator action refundWithoutMixPayRefund (server/console/dead-end-actions.ts).
 */
export async function findMissingMixPayRefunds(
  db: Db,
  o: { now: Date; waitMs: number; limit?: number },
): Promise<string[]> {
  // Raw min(): drizzle's min() re-encodes a Date parameter in a way postgres.js refuses in HAVING.
  const failedAt = sql<string>`min(${orderEvents.createdAt})`.mapWith((v: string | Date) => new Date(v));
  const cutoff = new Date(o.now.getTime() - o.waitMs).toISOString();
  const rows = await db
    .select({ id: orders.id, traceId: orders.traceId, assetId: orders.assetId, amount: orders.amount, failedAt })
    .from(orders)
    .innerJoin(orderEvents, and(eq(orderEvents.orderId, orders.id), eq(orderEvents.type, "settlement.mixpay_failed")))
    .where(eq(orders.status, "settling"))
    .groupBy(orders.id)
    .having(sql`min(${orderEvents.createdAt}) <= ${cutoff}::timestamptz`)
    .limit(o.limit ?? 200);
  for (const r of rows) {
    await raiseAlert(db, {
      kind: "mixpay_refund_missing",
      dedupeKey: `mixpay_refund_missing:${r.id}`,
      severity: "critical",
      orderId: r.id,
      assetId: r.assetId,
      message: `MixPay reported order ${r.id} (trace ${r.traceId}, ${r.amount}) failed at ${r.failedAt.toISOString()}, and its refund has not come back. Ask MixPay about the trace; to refund the end user now, use "Refund end user" on the order (the late MixPay refund, if it comes, is then recorded as an unexplained transfer).`,
      data: { traceId: r.traceId, failedAt: r.failedAt.toISOString() ?? null },
    });
  }
  return rows.map((r) => r.id);
}

/** Settling orders MixPay reported failed, oldest first (the refunds page lists them with the operator action). */
export async function listAwaitingMixPayRefund(db: Db, limit = 200) {
  const failedAt = sql<string>`min(${orderEvents.createdAt})`.mapWith((v: string | Date) => new Date(v));
  return db
    .select({ orderId: orders.id, traceId: orders.traceId, amount: orders.amount, assetId: orders.assetId, failedAt })
    .from(orders)
    .innerJoin(orderEvents, and(eq(orderEvents.orderId, orders.id), eq(orderEvents.type, "settlement.mixpay_failed")))
    .where(eq(orders.status, "settling"))
    .groupBy(orders.id)
    .orderBy(failedAt)
    .limit(limit);
}
