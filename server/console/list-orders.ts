import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { assets, orders } from "@/db/schema";
import type { PayeeScope } from "./payee-scope";
import { orderConditions, type OrderFilter } from "./order-filters";

export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/**
 * One page of payment history, newest first, by keyset on (created_at, id): the cost of a page
 * does not grow with how deep it is (indexes orders_payee_created_idx / orders_created_idx).
 */
export async function listOrders(
  db: DbOrTx,
  scope: PayeeScope,
  filter: OrderFilter,
  page: { cursor?: OrderCursor; limit: number },
) {
  const after = page.cursor
    ? or(
        lt(orders.createdAt, page.cursor.createdAt),
        and(eq(orders.createdAt, page.cursor.createdAt), lt(orders.id, page.cursor.id)),
      )
    : undefined;
  const rows = await db
    .select({
      id: orders.id,
      traceId: orders.traceId,
      payeeId: orders.payeeId,
      wallet: orders.wallet,
      assetId: orders.assetId,
      symbol: assets.symbol,
      amount: orders.amount,
      fee: orders.fee,
      payAmount: orders.payAmount,
      status: orders.status,
      createdAt: orders.createdAt,
      expiredAt: orders.expiredAt,
    })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(and(orderConditions(scope, filter), after))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
  };
}

/** Count and amount per asset for the same filter (the page's totals line). */
export async function orderTotals(db: DbOrTx, scope: PayeeScope, filter: OrderFilter) {
  return db
    .select({
      assetId: orders.assetId,
      symbol: sql<string>`coalesce(max(${assets.symbol}), '')`,
      count: sql<number>`count(*)::int`,
      amount: sql<string>`coalesce(sum(${orders.amount}), 0)::text`,
      fees: sql<string>`coalesce(sum(${orders.fee}), 0)::text`,
    })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(orderConditions(scope, filter))
    .groupBy(orders.assetId);
}
