import { getDb } from "@/db";
import { dispatchOutbox } from "@/inngest/dispatch";
import { env } from "@/server/env";
import { AppError, AppErrorCode } from "@/server/errors";
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
    const status = e instanceof AppError ? (e.code === AppErrorCode.NOT_FOUND ? 404 : e.code === AppErrorCode.FORBIDDEN ? 403 : 409) : 500;
    if (status === 500) logger("demo-wallet").error({ orderId, action, err: e }, "demo checkout failed");
    const message = status === 500 ? "Something went wrong; nothing was charged twice. Try again." : (e as Error).message;
    return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
