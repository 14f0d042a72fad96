import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders, outbox } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";

/** How long an order may sit in a state before its durable function is started again. */
export const STUCK_AFTER_MS: Partial<Record<OrderStatus, number>> = {
  paid: 5 * 60_000,
  settling: 30 * 60_000,
  paid_late: 5 * 60_000,
  mixpay_refunded: 5 * 60_000,
  refunding: 30 * 60_000,
};
const EVENT_FOR: Partial<Record<OrderStatus, { name: string; prefix: string }>> = {
  paid: { name: "order/settle.requested", prefix: "order.settle" },
  settling: { name: "order/settle.requested", prefix: "order.settle" },
  paid_late: { name: "order/refund.requested", prefix: "order.refund" },
  mixpay_refunded: { name: "order/refund.requested", prefix: "order.refund" },
  refunding: { name: "order/refund.requested", prefix: "order.refund" },
};
/** One re-drive per order per window: the event id carries the window, so repeats dedupe. */
const WINDOW_MS = 15 * 60_000;

/**
 * The reconciler's second half (the outbox relay is the first): orders stuck in a state longer
 * than expected get their function's event again. Safe because every step is idempotent
 * (settlement by trace_id, refunds by their request id).
 */
export async function redriveStuckOrders(db: Db, now = new Date(), limit = 200): Promise<number> {
  let queued = 0;
  const window = Math.floor(now.getTime() / WINDOW_MS);
  for (const [status, after] of Object.entries(STUCK_AFTER_MS) as [OrderStatus, number][]) {
    const event = EVENT_FOR[status]!;
    const stuck = await db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.status, status), lt(orders.updatedAt, new Date(now.getTime() - after))))
      .limit(limit);
    if (stuck.length === 0) continue;
    const rows = stuck.map((o) => ({
      id: `${event.prefix}/${o.id}/redrive-${window}`,
      name: event.name,
      data: { orderId: o.id, redrive: true },
    }));
    const inserted = await db.insert(outbox).values(rows).onConflictDoNothing().returning({ id: outbox.id });
    queued += inserted.length;
  }
  return queued;
}
