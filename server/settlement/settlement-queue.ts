import { and, asc, eq, inArray, lt, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, orders, outbox } from "@/db/schema";
import { writeAudit, type Actor } from "@/server/console/audit";
import { AppError, AppErrorCode } from "@/server/errors";

/** Orders an operator may need to push: failed settlements, and settlements running long. */
export async function settlementQueue(db: Db, stuckAfterMs = 15 * 60_000) {
  return db
    .select({
      id: orders.id,
      traceId: orders.traceId,
      status: orders.status,
      amount: orders.amount,
      assetId: orders.assetId,
      symbol: assets.symbol,
      updatedAt: orders.updatedAt,
      statusReason: orders.statusReason,
    })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(
      or(
        eq(orders.status, "settlement_failed"),
        and(inArray(orders.status, ["paid", "settling"]), lt(orders.updatedAt, new Date(Date.now() - stuckAfterMs))),
      ),
    )
    .orderBy(asc(orders.updatedAt))
    .limit(500);
}

/**
 * Retry settlement: an order/settle.requested event per order, written to the outbox with an
 * audit row in one transaction (the caller dispatches it). Settlement is idempotent by trace_id.
 */
export async function retrySettlements(db: Db, actor: Actor, orderIds: string[]) {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(inArray(orders.id, orderIds));
    const retryable = rows.filter(
      (r) => r.status === "settlement_failed" || r.status === "paid" || r.status === "settling",
    );
    if (retryable.length === 0)
      throw new AppError(AppErrorCode.CONFLICT, "none of these orders is waiting for settlement");
    const stamp = Date.now();
    await tx.insert(outbox).values(
      retryable.map((r) => ({
        id: `order.settle/${r.id}/retry-${stamp}`,
        name: "order/settle.requested",
        data: { orderId: r.id, retriedBy: actor.id },
      })),
    );
    for (const r of retryable)
      await writeAudit(tx, actor, {
        action: "settlement.retry",
        targetType: "order",
        targetId: r.id,
        before: { status: r.status },
      });
    return { queued: retryable.map((r) => r.id), skipped: rows.filter((r) => !retryable.includes(r)).map((r) => r.id) };
  });
}

/** Current status of some orders (the settlement queue polls it to show a retry's progress). */
export async function orderStatuses(db: Db, orderIds: string[]) {
  return db
    .select({
      id: orders.id,
      traceId: orders.traceId,
      status: orders.status,
      statusReason: orders.statusReason,
      updatedAt: orders.updatedAt,
    })
    .from(orders)
    .where(inArray(orders.id, orderIds));
}
