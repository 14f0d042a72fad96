import { getDb } from "@/db";
import { env } from "@/server/env";
import { reconcileFailedRefunds } from "@/server/refunds/reconcile-failed-refunds";
import { findMissingMixPayRefunds } from "@/server/settlement/settlement-dead-ends";
import { walletProvider } from "@/server/wallets/registry";
import type { WalletProvider } from "@/server/wallets/port";
import { inngest } from "../client";

/**
 * Every 5 minutes, the failure states that no other loop looks at: settling orders MixPay
 * reported failed whose refund never came (alerted), and refund_failed refunds (asked again at
 * the wallet: a late success is recorded, a confirmed failure unlocks a retry with a new id).
 */
export const watchDeadEndsFn = inngest.createFunction(
  { id: "watch-dead-ends", triggers: [{ cron: "*/5 * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    const missing = await step.run("find-missing-mixpay-refunds", async () =>
      findMissingMixPayRefunds(await getDb(), {
        now: new Date(),
        waitMs: env().SETTLEMENT_REFUND_WAIT_MINUTES * 60_000,
      }),
    );
    const refunds = await step.run("reconcile-failed-refunds", async () =>
      reconcileFailedRefunds(await getDb(), (kind) => walletProvider(kind as WalletProvider["kind"])),
    );
    return { missingMixPayRefunds: missing.length, refunds };
  },
);
