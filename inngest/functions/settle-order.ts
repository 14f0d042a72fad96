import { NonRetriableError } from "inngest";
import { getDb } from "@/db";
import { AppErrorCode, isAppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { env } from "@/server/env";
import { confirmSettlementPatiently } from "@/server/settlement/confirm-patiently";
import { beginSettlement, markSettlementFailed, sendSettlementTransfer } from "@/server/settlement/settle-order";
import { inngest } from "../client";
import { orderPaid, orderSettleRequested } from "../events";
import { brokerDeps } from "../deps";

const ACTOR = "system:settle-order";

/** Domain errors other than "retry later" will not get better by retrying. */
function rethrow(e: unknown): never {
  if (isAppError(e) && e.code !== AppErrorCode.RETRYABLE) throw new NonRetriableError(e.message, { cause: e });
  throw e;
}

/**
 * Inngest's `inngest/function.failed` for this function: every retry is spent, so the order
 * becomes settlement_failed (still reserved) and a critical alert is raised for an operator.
 */
export async function onSettlementRetriesExhausted({
  event,
  error,
}: {
  event: { data: { event: { data?: unknown } } };
  error: { message: string };
}): Promise<void> {
  const orderId = (event.data.event.data as { orderId: string }).orderId;
  try {
    await markSettlementFailed(await getDb(), orderId, error.message, ACTOR);
  } catch (e) {
    // E.g. the order was never settling (a non-retriable error in begin-settlement): nothing to mark.
    logger("settle-order").warn({ orderId, err: (e as Error).message }, "could not mark the settlement failed");
  }
}

/**
 * Pay MixPay for an order paid in time: transfer `amount` of `asset_id` to `opponent_id` with the
 * order's trace_id as Mixin request_id and its memo, then confirm
 * that Mixin spent it and that MixPay's payment-result API reports the trace paid. One run per
 * order at a time; Mixin's request_id makes any retry (of a step, a run, or an operator's retry)
 * a lookup of the same transaction instead of a second payment.
 */
export const settleOrderFn = inngest.createFunction(
  {
    id: "settle-order",
    triggers: [orderPaid, orderSettleRequested],
    concurrency: { key: "event.data.orderId", limit: 1 },
    retries: 10,
    onFailure: (ctx) => onSettlementRetriesExhausted(ctx),
  },
  async ({ event, step }) => {
    const { orderId } = event.data;
    const begun = await step.run("begin-settlement", async () => {
      try {
        const r = await beginSettlement(await getDb(), orderId, ACTOR);
        return { done: r.done, status: r.order.status };
      } catch (e) {
        rethrow(e);
      }
    });
    if (begun.done) return { orderId, outcome: "already-settled", status: begun.status };

    const sent = await step.run("send-transfer", async () => {
      try {
        return await sendSettlementTransfer(await getDb(), orderId, brokerDeps().mixin, ACTOR);
      } catch (e) {
        rethrow(e);
      }
    });

    // Mixin spends a sent transfer a few seconds later: the step checks again inside itself for up
    // to SETTLEMENT_CONFIRM_WAIT_SECONDS rather than wait out a retry's backoff (no extra steps).
    const outcome = await step.run("confirm-settlement", async () => {
      try {
        const waitMs = env().SETTLEMENT_CONFIRM_WAIT_SECONDS * 1000;
        return await confirmSettlementPatiently(
          await getDb(),
          orderId,
          brokerDeps().mixin,
          brokerDeps().mixpay,
          ACTOR,
          { waitMs },
        );
      } catch (e) {
        rethrow(e);
      }
    });
    return { orderId, outcome, transactionHash: sent.transactionHash ?? null };
  },
);
