import { getDb } from "@/db";
import { reconcileBinancePay } from "@/server/wallets/binance/reconcile-binance-pay";
import { binancePay } from "@/server/wallets/registry";
import { inngest } from "../client";
import { dispatchOutbox } from "../dispatch";

/**
 * Every minute, when Binance Pay is configured: query orders whose notification never came,
 * close unpaid orders at expiry, and follow refunds still processing.
 */
export const reconcileBinancePayFn = inngest.createFunction(
  { id: "reconcile-binance-pay", triggers: [{ cron: "* * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    return step.run("query-and-close-binance-orders", async () => {
      const pay = binancePay();
      if (!pay) return { skipped: "Binance Pay is not configured" };
      const r = await reconcileBinancePay(await getDb(), pay.wallet);
      // Payments found here queued order/paid: dispatch now rather than at the next relay minute.
      await dispatchOutbox();
      return r;
    });
  },
);
