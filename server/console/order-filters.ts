import { and, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { orders } from "@/db/schema";
import { ORDER_STATUSES } from "@/db/schema/orders";
import type { PayeeScope } from "./payee-scope";

/** The history filters shared by the merchant and operator pages, the totals and the CSV export. */
export const orderFilterSchema = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  assetId: z.uuid().optional(),
  wallet: z.string().max(20).optional(),
  /** Inclusive lower and exclusive upper bound on created_at. */
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** A trace_id or an order id. */
  q: z.string().trim().max(64).optional(),
  /** Operators only; a merchant's scope already fixes the payees. */
  payeeId: z.uuid().optional(),
});
export type OrderFilter = z.infer<typeof orderFilterSchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function orderConditions(scope: PayeeScope, f: OrderFilter): SQL | undefined {
  const conds: (SQL | undefined)[] = [];
  if (scope.kind === "payees") {
    // No linked payee → nothing (never "everything").
    conds.push(scope.payeeIds.length ? inArray(orders.payeeId, scope.payeeIds) : sql`false`);
  }
  if (f.payeeId) conds.push(eq(orders.payeeId, f.payeeId));
  if (f.status) conds.push(eq(orders.status, f.status));
  if (f.assetId) conds.push(eq(orders.assetId, f.assetId));
  if (f.wallet) conds.push(eq(orders.wallet, f.wallet));
  if (f.from) conds.push(gte(orders.createdAt, f.from));
  if (f.to) conds.push(lt(orders.createdAt, f.to));
  if (f.q) {
    conds.push(
      UUID.test(f.q) ? or(eq(orders.traceId, f.q.toLowerCase()), eq(orders.id, f.q.toLowerCase())) : sql`false`,
    );
  }
  return and(...conds);
}
