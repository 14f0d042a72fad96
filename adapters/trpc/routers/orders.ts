import { asc } from "drizzle-orm";
import { z } from "zod";
import { assets } from "@/db/schema";
import { getOrder } from "@/server/console/get-order";
import { listOrders, orderTotals } from "@/server/console/list-orders";
import { orderFilterSchema } from "@/server/console/order-filters";
import { merchantProcedure, router } from "../init";

const cursor = z.object({ createdAt: z.coerce.date(), id: z.uuid() });

/**
 * Payment history: merchants see their linked payees only; operators see all (and may filter by
 * payee). A merchant's payee filter only narrows inside the scope (both conditions apply).
 */
export const ordersRouter = router({
  list: merchantProcedure
    .input(
      z.object({
        filter: orderFilterSchema.default({}),
        cursor: cursor.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      listOrders(ctx.db, ctx.scope, input.filter, { cursor: input.cursor, limit: input.limit }),
    ),
  totals: merchantProcedure
    .input(z.object({ filter: orderFilterSchema.default({}) }))
    .query(({ ctx, input }) => orderTotals(ctx.db, ctx.scope, input.filter)),
  assets: merchantProcedure.query(({ ctx }) =>
    ctx.db.select({ assetId: assets.assetId, symbol: assets.symbol }).from(assets).orderBy(asc(assets.symbol)),
  ),
  get: merchantProcedure
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => getOrder(ctx.db, ctx.scope, input.id)),
});
