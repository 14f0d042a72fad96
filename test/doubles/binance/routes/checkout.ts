/**
 * The hosted checkout (what checkoutUrl and universalUrl open): a page with the order and a Pay
 * button; paying delivers the PAY notification, then returns the user to the merchant's returnUrl.
 */
import { Hono } from "hono";
import type { BinancePayLedger } from "../ledger";
import type { DoubleOrder } from "../model";

const TEXT = { "content-type": "text/plain" };

export interface CheckoutDeps {
  ledger: BinancePayLedger;
  baseUrl(): string;
  pay(o: DoubleOrder): Promise<{ error?: string }>;
}

export function checkoutRoutes({ ledger, baseUrl, pay }: CheckoutDeps) {
  const app = new Hono();
  app.all("*", async (c) => {
    const m = /^\/(?:en\/checkout|payment\/secpay)\/?([0-9a-f]*)(\/pay)?$/.exec(c.req.path);
    const token = m?.[1] || c.req.query("linkToken") || "";
    const o = ledger.byToken.get(token);
    if (!m || !o) return c.body("no such checkout", 404, TEXT);
    if (m[2] && c.req.method === "POST") {
      const r = await pay(o);
      if (r.error) return c.body(r.error, 409, TEXT);
      return c.redirect(o.returnUrl ?? `${baseUrl()}/en/checkout/${token}`, 302);
    }
    ledger.refreshStatus(o);
    return c.body(
      `<!doctype html><html><head><title>Binance Pay (double)</title></head><body>
<h1>Binance Pay checkout (test double)</h1>
<p>Order <span data-testid="merchant-trade-no">${o.merchantTradeNo}</span></p>
<p>Amount <strong data-testid="binance-amount">${o.orderAmount} ${o.currency}</strong></p>
<p>Status <span data-testid="binance-status">${o.status}</span></p>
<form method="post" action="/en/checkout/${token}/pay"><button type="submit">Pay with Binance</button></form>
${o.cancelUrl ? `<p><a href="${o.cancelUrl}">Cancel</a></p>` : ""}
</body></html>`,
      200,
      { "content-type": "text/html; charset=utf-8" },
    );
  });
  return app;
}
