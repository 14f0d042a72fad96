import { z } from "zod";
import { requestReconciliation } from "@/server/ledger/request-reconciliation";
import { dailyStatement } from "@/server/ledger/statement";
import { labelSuspenseItem, listSuspenseItems } from "@/server/ledger/suspense";
import { treasurySummary } from "@/server/ledger/treasury";
import { operatorProcedure, router } from "../init";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day, YYYY-MM-DD");

/** The books for operators: treasury, statements, suspense (server/ledger, docs/ledger.md). */
export const treasuryRouter = router({
  summary: operatorProcedure.query(({ ctx }) => treasurySummary(ctx.db)),
  statement: operatorProcedure
    .input(
      z
        .object({ assetId: z.uuid(), from: day, to: day })
        .refine(
          (v) => v.from <= v.to && Date.parse(v.to) - Date.parse(v.from) <= 92 * 86_400_000,
          "at most 93 days, from ≤ to",
        ),
    )
    .query(({ ctx, input }) => dailyStatement(ctx.db, input.assetId, input.from, input.to)),
  suspense: operatorProcedure.query(({ ctx }) => listSuspenseItems(ctx.db)),
  labelSuspense: operatorProcedure
    .input(
      z.object({
        journalId: z.string().regex(/^\d{1,18}$/),
        as: z.enum(["funding", "withdrawal", "rebalance"]),
        wallet: z
          .string()
          .regex(/^[a-z0-9_-]{1,40}$/)
          .optional(),
        reason: z.string().trim().min(3).max(500),
      }),
    )
    .mutation(({ ctx, input }) => labelSuspenseItem(ctx.db, ctx.user, input)),
  reconcileNow: operatorProcedure.mutation(async ({ ctx }) => {
    const r = await requestReconciliation(ctx.db, ctx.user);
    await ctx.dispatchOutbox?.();
    return r;
  }),
});
