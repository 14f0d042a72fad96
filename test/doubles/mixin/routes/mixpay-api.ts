/** The emulated MixPay's public payment-result API (open, as MixPay's is). */
import { Hono } from "hono";
import type { EmulatorEnv } from "../http";
import type { MixinLedger } from "../ledger";

export function mixpayApiRoutes(ledger: MixinLedger) {
  const app = new Hono<EmulatorEnv>();
  app.get("/v1/payments_result", (c) => {
    const traceId = c.req.query("traceId") ?? "";
    const { status, failureCode } = ledger.paymentResult(traceId);
    if (status === "unknown")
      return c.json({ code: 10404, success: false, message: "Not found", data: null, timestampMs: Date.now() }, 200);
    return c.json(
      { code: 0, success: true, message: "", data: { status, traceId, failureCode }, timestampMs: Date.now() },
      200,
    );
  });
  return app;
}
