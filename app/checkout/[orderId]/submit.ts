import { getDb } from "@/db";
import { dispatchOutbox } from "@/inngest/dispatch";
import { env } from "@/server/env";
import { httpStatusOf, plainErrorResponse } from "@/adapters/http/error-status";
import { returnRedirect } from "@/adapters/http/return-redirect";
import { logger } from "@/server/logger";
import { submitDemoCheckout } from "@/server/wallets/demo-checkout";

/** POST from the demo checkout page: apply it, then 302 to MixPay's return_url as the spec requires. */
export async function submitCheckout(orderId: string, action: "pay" | "cancel"): Promise<Response> {
  try {
    const { order, outcome } = await submitDemoCheckout(await getDb(), orderId, action, env().demoWalletEnabled);
    logger("demo-wallet").info({ orderId, action, outcome, status: order.status }, "demo checkout submitted");
    // Settlement or refund was queued in the outbox; hand it to Inngest now (the relay retries if this fails).
    void dispatchOutbox();
    return returnRedirect(order.returnUrl);
  } catch (e) {
    if (httpStatusOf(e) === 500) logger("demo-wallet").error({ orderId, action, err: e }, "demo checkout failed");
    return plainErrorResponse(e, "Something went wrong; nothing was charged twice. Try again.");
  }
}
