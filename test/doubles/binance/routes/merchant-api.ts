/**
 * The merchant API the broker calls (/binancepay/openapi/*), checked as Binance Pay checks it:
 * POST, JSON, the BinancePay-* headers, the clock, the API key, then the HMAC-SHA512 of
 * `ts\nnonce\nbody\n` over the exact body bytes. Amounts are read as their decimal text. Every
 * call is logged (path, code, whether the signature held); the 5xx and timeout faults apply here.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { parse as parseLossless } from "lossless-json";
import type { BinancePayLedger } from "../ledger";
import { failure, ok, type ApiAnswer, type DoubleRefund } from "../model";
import { queryRefund, refundOrder } from "../refunds";
import type { WebhookSender } from "../webhooks";

export interface MerchantApiDeps {
  ledger: BinancePayLedger;
  webhooks: WebhookSender;
  apiKey: string;
  secret: string;
  /** Requests signed further from the double's clock than this are refused (400003). */
  toleranceMs: number;
  /** Where the double's checkout pages are (set once the server listens). */
  baseUrl(): string;
  /** A pending refund was made: settle it later when the double is set to. */
  refundPending(r: DoubleRefund): void;
}

export function merchantApiRoutes(deps: MerchantApiDeps) {
  const { ledger } = deps;
  const app = new Hono<{ Bindings: HttpBindings }>();

  const api = (path: string, body: Record<string, unknown>): ApiAnswer => {
    switch (path) {
      case "/binancepay/openapi/certificates":
        return {
          status: 200,
          answer: ok([{ certSerial: deps.webhooks.certSerial, certPublic: deps.webhooks.certPublic }]),
        };
      case "/binancepay/openapi/v3/order":
        return ledger.createOrder(body, deps.baseUrl());
      case "/binancepay/openapi/balance":
        return ledger.walletBalance(body);
      case "/binancepay/openapi/v2/order/query":
        return ledger.queryOrder(body);
      case "/binancepay/openapi/order/close":
        return ledger.closeOrder(body);
      case "/binancepay/openapi/order/refund": {
        const r = refundOrder(ledger, body);
        if (r.refund?.refundStatus === "REFUND_PENDING") deps.refundPending(r.refund);
        return r;
      }
      case "/binancepay/openapi/order/refund/query":
        return queryRefund(ledger, body);
      default:
        return {
          status: 404,
          answer: { status: "ERROR", type: "SYS", code: "100001001", errorMessage: "no such API" },
        };
    }
  };

  /** Binance's request check: headers, clock, API key, then the HMAC over the exact body. */
  const checkRequest = (c: Context, body: string): { code: string; message: string } | undefined => {
    if (c.req.method !== "POST") return { code: "400006", message: "BAD_HTTP_METHOD" };
    if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
      return { code: "400007", message: "MEDIA_TYPE_NOT_SUPPORTED" };
    const ts = c.req.header("binancepay-timestamp") ?? "";
    const nonce = c.req.header("binancepay-nonce") ?? "";
    const sn = c.req.header("binancepay-certificate-sn") ?? "";
    const sig = c.req.header("binancepay-signature") ?? "";
    if (!ts || !nonce || !sn || !sig)
      return { code: "400100", message: "MANDATORY_PARAM_EMPTY_OR_MALFORMED: BinancePay headers" };
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > deps.toleranceMs)
      return { code: "400003", message: "INVALID_TIMESTAMP" };
    if (!/^[A-Za-z0-9]{32}$/.test(nonce))
      return { code: "400100", message: "MANDATORY_PARAM_EMPTY_OR_MALFORMED: BinancePay-Nonce" };
    if (sn !== deps.apiKey) return { code: "400004", message: "INVALID_API_KEY_OR_IP" };
    const expected = createHmac("sha512", deps.secret).update(`${ts}\n${nonce}\n${body}\n`).digest("hex").toUpperCase();
    const a = Buffer.from(expected);
    const b = Buffer.from(sig);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { code: "400002", message: "INVALID_SIGNATURE" };
    return undefined;
  };

  // Any method: a GET is refused by the check (400006), as Binance does.
  app.all("/binancepay/:rest{.*}", async (c) => {
    const path = c.req.path;
    const raw = await c.req.text();
    const fault = ledger.takeFault(["5xx", "timeout"], path);
    if (fault?.mode === "5xx") {
      ledger.requests.push({ path, code: "HTTP_503", signatureValid: false });
      return c.body("<html><body>503 Service Temporarily Unavailable</body></html>", 503, {
        "content-type": "text/html",
      });
    }
    const bad = checkRequest(c, raw);
    let body: Record<string, unknown> = {};
    if (!bad) {
      try {
        // Amounts stay their decimal text, as Binance reads them.
        const parsed = parseLossless(raw, null, (v: string) => v);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        ledger.requests.push({ path, code: "400008", signatureValid: true });
        return c.json(failure("400008", "INVALID_REQUEST_BODY"), 400);
      }
    }
    const r = bad ? { status: 400, answer: failure(bad.code, bad.message) } : api(path, body);
    ledger.requests.push({
      path,
      code: (r.answer as { code: string }).code,
      signatureValid: !bad || bad.code !== "400002",
    });
    if (fault?.mode === "timeout") await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 15_000));
    const notice = (r as ApiAnswer).notice;
    if (notice) afterAnswer(c.env.outgoing, () => void deps.webhooks.send(notice));
    return c.json(r.answer, r.status as 200);
  });
  return app;
}

/** Run `work` once the answer is on its way (or the caller is gone): Binance notifies after it answers. */
function afterAnswer(outgoing: ServerResponse, work: () => void): void {
  if (outgoing.destroyed || outgoing.writableFinished) {
    setImmediate(work);
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    work();
  };
  outgoing.once("finish", once);
  outgoing.once("close", once);
}
