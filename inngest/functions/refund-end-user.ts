import { NonRetriableError } from "inngest";
import { getDb } from "@/db";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { AppErrorCode, isAppError } from "@/server/errors";
import { markRefundFailed, refundEndUser } from "@/server/refunds/refund-end-user";
import { walletProvider } from "@/server/wallets/registry";
import type { WalletProvider } from "@/server/wallets/port";
import { inngest } from "../client";
import { orderRefundRequested } from "../events";

const ACTOR = "system:refund-end-user";
const provider = (kind: string) => walletProvider(kind as WalletProvider["kind"]);

/**
 * Refund the end user through the order's wallet (paid late, or MixPay sent the money back).
 * The wallet refund carries a request id derived from the order, so any retry is the same
 * refund. A refund the wallet is still processing is checked again after a pause.
 */
export const refundEndUserFn = inngest.createFunction(
  {
    id: "refund-end-user",
    triggers: [orderRefundRequested],
    concurrency: { key: "event.data.orderId", limit: 1 },
    retries: 8,
    onFailure: async ({ event, error }) => {
      const orderId = (event.data.event.data as { orderId: string }).orderId;
      const db = await getDb();
      await markRefundFailed(db, orderId, error.message, ACTOR).catch(() => undefined);
      await raiseAlert(db, {
        kind: "refund_failed",
        dedupeKey: `refund_failed:${orderId}`,
        severity: "critical",
        orderId,
        message: `The end-user refund of order ${orderId} failed: ${error.message}`,
      });
    },
  },
  async ({ event, step }) => {
    const { orderId } = event.data;
    const refund = async () => {
      try {
        return await refundEndUser(await getDb(), orderId, provider, ACTOR);
      } catch (e) {
        if (isAppError(e) && e.code !== AppErrorCode.RETRYABLE) throw new NonRetriableError(e.message, { cause: e });
        throw e;
      }
    };
    let outcome = await step.run("refund-through-wallet", refund);
    for (let i = 0; outcome === "processing" && i < 10; i++) {
      await step.sleep(`wait-for-wallet-${i}`, "30s");
      outcome = await step.run(`check-refund-${i}`, refund);
    }
    if (outcome === "processing") throw new Error("the wallet is still processing the refund after 5 minutes");
    return { orderId, outcome };
  },
);
