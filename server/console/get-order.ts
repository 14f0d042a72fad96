import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { assets, mixinTransfers, orderEvents, orders, refunds } from "@/db/schema";
import { AppError, AppErrorCode } from "@/server/errors";
import type { PayeeScope } from "./payee-scope";
import { orderConditions } from "./order-filters";

/** One order with its timeline, settlement transfer and refund; out of scope reads as not found. */
export async function getOrder(db: DbOrTx, scope: PayeeScope, orderId: string) {
  const [row] = await db
    .select({ order: orders, symbol: assets.symbol })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(and(eq(orders.id, orderId), orderConditions(scope, {})));
  if (!row) throw new AppError(AppErrorCode.NOT_FOUND, "no such order");
  const [events, transfers, refundRows] = await Promise.all([
    db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.id)),
    db.select().from(mixinTransfers).where(eq(mixinTransfers.orderId, orderId)),
    db.select().from(refunds).where(eq(refunds.orderId, orderId)),
  ]);
  return {
    ...row.order,
    symbol: row.symbol ?? "",
    events: events.map((e) => ({ ...e, id: String(e.id) })),
    transfer: transfers[0] ?? null,
    refund: refundRows[0] ?? null,
  };
}
