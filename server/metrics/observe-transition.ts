import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { refunds } from "@/db/schema";
import type { orders } from "@/db/schema";
import { logger } from "@/server/logger";
import { metrics } from "./registry";

type Order = typeof orders.$inferSelect;

/**
 * Settlement and refund latency, observed when an order reaches settled or refunded (after the
 * transition is written; a metric never fails or slows the transition itself).
 */
export function observeTransition(db: DbOrTx, order: Order): void {
  try {
    const m = metrics();
    if (order.status === "settled" && order.paidAt) {
      m.settlementLatency.observe(
        Math.max(0, ((order.settledAt ?? new Date()).getTime() - order.paidAt.getTime()) / 1000),
      );
    } else if (order.status === "refunded") {
      const done = order.refundedAt ?? new Date();
      void db
        .select({ createdAt: refunds.createdAt })
        .from(refunds)
        .where(eq(refunds.orderId, order.id))
        .then(([r]) => {
          if (r) m.refundLatency.observe(Math.max(0, (done.getTime() - r.createdAt.getTime()) / 1000));
        })
        .catch((err: unknown) => logger("metrics").warn({ err }, "refund latency not observed"));
    }
  } catch (err) {
    logger("metrics").warn({ err }, "transition not observed");
  }
}
