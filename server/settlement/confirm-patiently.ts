import type { Db } from "@/db/client";
import { AppErrorCode, isAppError } from "@/server/errors";
import type { MixPayResultApi, SettlementMixin } from "./ports";
import { confirmSettlement, type ConfirmOutcome } from "./settle-order";

/** Why confirmSettlement said "not yet" when the answer usually changes within seconds. */
const SOON = new Set(["not_spent", "mixpay_pending"]);

/**
 * confirmSettlement, checked again inside the same step while Mixin has not spent the transfer yet
 * (it keeps a sent transaction `signed` for a few seconds) or MixPay has not seen it, every
 * 0.1, 0.2, 0.4, then every 0.5 s, for up to `waitMs`. Only then does the "not yet" go to the
 * durable function's retry, whose backoff (seconds locally, longer on Inngest) would otherwise
 * decide when the shopper's order shows settled. Other answers (MixPay does not know the trace:
 * a wait of minutes; MixPay unreachable; anything else) are returned or thrown at once, as before.
 * Each check is the same idempotent read as a retry's; nothing is sent.
 */
export async function confirmSettlementPatiently(
  db: Db,
  orderId: string,
  mixin: SettlementMixin,
  mixpay: MixPayResultApi,
  actor: string,
  opts: { waitMs: number; sleep?: (ms: number) => Promise<void> },
): Promise<ConfirmOutcome> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let waited = 0;
  for (let pause = 100; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await confirmSettlement(db, orderId, mixin, mixpay, actor);
    } catch (e) {
      const reason = isAppError(e) && e.code === AppErrorCode.RETRYABLE ? e.details?.reason : undefined;
      if (typeof reason !== "string" || !SOON.has(reason) || waited + pause > opts.waitMs) throw e;
    }
    await sleep(pause);
    waited += pause;
  }
}
