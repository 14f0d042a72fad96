import { z } from "zod";
import { listAudit } from "@/server/console/audit";
import { getAccess, setAccessEntry, setAccessMode } from "@/server/access/manage-access";
import { acknowledgeAlert, listAlerts } from "@/server/alerts/operator-alerts";
import { updateAsset, updateAssetInput } from "@/server/assets/update-asset";
import { balanceHealth } from "@/server/balances/balance-health";
import { statusCounts } from "@/server/orders/status-counts";
import { orderStatuses, retrySettlements, settlementQueue } from "@/server/settlement/settlement-queue";
import { setWalletEnabled } from "@/server/wallets/set-wallet-enabled";
import { cancelOrderByOperator } from "@/server/console/cancel-order";
import { walletProvider } from "@/server/wallets/registry";
import { inviteUser, listUsers, setPayeeLink, setUserDisabled } from "@/server/console/manage-users";
import { lastDays, listRefunds, listWallets, outcomeRates, volumePerDay } from "@/server/console/reports";
import { refundWithoutMixPayRefund, retryFailedRefund } from "@/server/console/dead-end-actions";
import { listAwaitingMixPayRefund } from "@/server/settlement/settlement-dead-ends";
import { operatorProcedure, router } from "../init";

/** The broker cockpit: operators only; every mutation is audited in its own transaction. */
export const operatorRouter = router({
  overview: operatorProcedure.query(async ({ ctx }) => ({
    counts: await statusCounts(ctx.db),
    balances: await balanceHealth(ctx.db),
    queue: await settlementQueue(ctx.db),
    alerts: await listAlerts(ctx.db),
  })),
  balances: operatorProcedure.query(({ ctx }) => balanceHealth(ctx.db)),
  updateAsset: operatorProcedure
    .input(updateAssetInput)
    .mutation(({ ctx, input }) => updateAsset(ctx.db, ctx.user, input)),
  setWalletEnabled: operatorProcedure
    .input(z.object({ name: z.string().min(1).max(20), enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setWalletEnabled(ctx.db, ctx.user, input.name, input.enabled)),
  access: operatorProcedure
    .input(z.object({ search: z.string().max(36).optional() }).default({}))
    .query(({ ctx, input }) => getAccess(ctx.db, input.search)),
  setAccessMode: operatorProcedure
    .input(z.object({ mode: z.enum(["open", "allow_list"]) }))
    .mutation(({ ctx, input }) => setAccessMode(ctx.db, ctx.user, input.mode)),
  setAccessEntry: operatorProcedure
    .input(
      z.object({
        payeeId: z.uuid(),
        list: z.enum(["allow", "block"]),
        present: z.boolean(),
        note: z.string().max(200).optional(),
      }),
    )
    .mutation(({ ctx, input }) => setAccessEntry(ctx.db, ctx.user, input)),
  alerts: operatorProcedure
    .input(z.object({ includeAcknowledged: z.boolean().default(false) }).default({ includeAcknowledged: false }))
    .query(({ ctx, input }) => listAlerts(ctx.db, input.includeAcknowledged)),
  acknowledgeAlert: operatorProcedure
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx.db, ctx.user, input.id)),
  settlementQueue: operatorProcedure.query(({ ctx }) => settlementQueue(ctx.db)),
  retrySettlements: operatorProcedure
    .input(z.object({ orderIds: z.array(z.uuid()).min(1).max(500) }))
    .mutation(async ({ ctx, input }) => {
      const result = await retrySettlements(ctx.db, ctx.user, input.orderIds);
      await ctx.dispatchOutbox?.();
      return result;
    }),
  /** Cancel an open order (releases its reservation) and close it at the wallet; on a cancelled order, retry the close. */
  cancelOrder: operatorProcedure
    .input(z.object({ orderId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelOrderByOperator(ctx.db, ctx.user, input.orderId, { walletProvider })),
  orderStatuses: operatorProcedure
    .input(z.object({ orderIds: z.array(z.uuid()).min(1).max(500) }))
    .query(({ ctx, input }) => orderStatuses(ctx.db, input.orderIds)),
  setLowBalanceThreshold: operatorProcedure
    .input(z.object({ assetId: z.uuid(), threshold: updateAssetInput.shape.lowBalanceThreshold.unwrap() }))
    .mutation(({ ctx, input }) =>
      updateAsset(ctx.db, ctx.user, { assetId: input.assetId, lowBalanceThreshold: input.threshold }),
    ),
  audit: operatorProcedure.query(({ ctx }) => listAudit(ctx.db)),
  reports: operatorProcedure.query(async ({ ctx }) => ({
    days: lastDays(14),
    volume: await volumePerDay(ctx.db, 14),
    rates: await outcomeRates(ctx.db),
  })),
  refunds: operatorProcedure.query(({ ctx }) => listRefunds(ctx.db)),
  wallets: operatorProcedure.query(({ ctx }) => listWallets(ctx.db)),
  users: operatorProcedure.query(({ ctx }) => listUsers(ctx.db)),
  inviteUser: operatorProcedure
    .input(
      z.object({
        email: z.email(),
        role: z.enum(["operator", "merchant"]),
        name: z.string().max(100).optional(),
        payeeIds: z.array(z.uuid()).max(50).optional(),
      }),
    )
    .mutation(({ ctx, input }) => inviteUser(ctx.db, ctx.user, input)),
  setPayeeLink: operatorProcedure
    .input(z.object({ userId: z.uuid(), payeeId: z.uuid(), linked: z.boolean() }))
    .mutation(({ ctx, input }) => setPayeeLink(ctx.db, ctx.user, input)),
  setUserDisabled: operatorProcedure
    .input(z.object({ userId: z.uuid(), disabled: z.boolean() }))
    .mutation(({ ctx, input }) => setUserDisabled(ctx.db, ctx.user, input)),
  // Ways out of the refund dead ends (server/console/dead-end-actions.ts); both audited.
  awaitingMixPayRefund: operatorProcedure.query(({ ctx }) => listAwaitingMixPayRefund(ctx.db)),
  retryRefund: operatorProcedure.input(z.object({ orderId: z.uuid() })).mutation(async ({ ctx, input }) => {
    const result = await retryFailedRefund(ctx.db, ctx.user, input.orderId);
    await ctx.dispatchOutbox?.();
    return result;
  }),
  refundWithoutMixPayRefund: operatorProcedure
    .input(z.object({ orderId: z.uuid(), note: z.string().trim().min(3).max(500) }))
    .mutation(async ({ ctx, input }) => {
      const result = await refundWithoutMixPayRefund(ctx.db, ctx.user, input.orderId, input.note);
      await ctx.dispatchOutbox?.();
      return result;
    }),
});
