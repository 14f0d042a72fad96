import { getDb } from "@/db";
import { reconcileLedger } from "@/server/ledger/reconcile";
import { walletBalanceSources } from "@/server/ledger/wallet-balance-sources";
import { inngest } from "../client";
import { dispatchOutbox } from "../dispatch";
import { brokerDeps } from "../deps";
import { ledgerReconcileRequested } from "../events";

/**
 * Reconcile the books with Mixin and the wallets every five minutes, and at once on
 * ledger/reconcile.requested (the treasury page's button). Singleton: passes never overlap, and a
 * request while one runs is skipped (the running pass covers it). Differences go to suspense with
 * an alert naming the snapshot, order or account (server/ledger/reconcile.ts).
 */
export const reconcileLedgerFn = inngest.createFunction(
  {
    id: "reconcile-ledger",
    triggers: [{ cron: "*/5 * * * *" }, ledgerReconcileRequested],
    singleton: { mode: "skip" },
    retries: 2,
  },
  async ({ step }) => {
    const r = await step.run("reconcile", async () => {
      const deps = brokerDeps();
      const result = await reconcileLedger(await getDb(), {
        balances: deps.balances,
        snapshots: deps.snapshots,
        wallets: walletBalanceSources(),
      });
      // The catch-up poll may have queued MixPay refunds; hand them to Inngest now.
      await dispatchOutbox();
      return result;
    });
    return {
      checks: r.checks.length,
      differences: r.checks.filter((c) => c.difference !== "0").length,
      lostSnapshots: r.lostSnapshots.length,
      reservationMismatches: r.reservations.length,
      newSuspenseItems: r.newSuspenseItems,
    };
  },
);
