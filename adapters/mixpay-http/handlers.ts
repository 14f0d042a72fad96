import { getDb } from "@/db";
import { AppError, AppErrorCode } from "@/server/errors";
import { env } from "@/server/env";
import { accessLog, requestLogger } from "@/adapters/http/request-log";
import { requestIdOf } from "@/adapters/http/request-id";
import { metrics } from "@/server/metrics/registry";
import { createOrder } from "@/server/orders/create-order";
import { getAssetsRange } from "@/server/orders/get-assets-range";
import { servedBy, walletProvider } from "@/server/wallets/registry";
import { envelopeCodeOf, envelopeForError, errorEnvelope, MIXPAY_CODES, okEnvelope } from "./envelope";
import { BodyTooLargeError, readBodyParams, readQueryParams } from "./read-params";
import {
  createOrderParamsSchema,
  parseParams,
  rangeParamsSchema,
  type CreateOrderParams,
} from "@/server/mixpay/schemas";
import {
  CreateOrderThrottledError,
  throttleCreateOrder,
  type ThrottleLimits,
} from "@/server/mixpay/throttle-create-order";
import { judgeTransport } from "@/adapters/http/transport";

/**
 * The MixPay routes as plain Request → Response functions; app/mixpay/* only re-exports them.
 * Whatever happens, the answer is the spec's JSON envelope.
 */
/** The caller's address as the transport check saw it (behind trusted proxies: the first other hop). */
const sourceOf = new WeakMap<Request, string>();

function transportRefusal(req: Request): Response | undefined {
  const e = env();
  const verdict = judgeTransport(req.headers, {
    requireHttps: e.mixpayRequireHttps,
    trustedProxies: e.TRUSTED_PROXIES,
    allowedSources: e.MIXPAY_ALLOWED_SOURCES,
  });
  if (verdict.ok) {
    sourceOf.set(req, verdict.clientAddr ?? "unknown");
    return undefined;
  }
  requestLogger(req, "mixpay").warn(
    { path: new URL(req.url).pathname, reason: verdict.reason },
    "mixpay call refused by transport policy",
  );
  return errorEnvelope(MIXPAY_CODES.NO_PERMISSION, `No permission: ${verdict.reason}`, 403);
}

async function guarded(req: Request, route: string, fn: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const res = await answer(req, route, fn);
  const code = String(envelopeCodeOf(res) ?? "unknown");
  const m = metrics();
  m.mixpayRequests.inc({ route, code, status: String(res.status) });
  m.mixpayLatency.observe({ route, code }, (performance.now() - started) / 1000);
  accessLog(req, res, started, { route, code });
  res.headers.set("x-request-id", requestIdOf(req));
  return res;
}

async function answer(req: Request, route: string, fn: () => Promise<Response>): Promise<Response> {
  const log = () => requestLogger(req, "mixpay");
  try {
    const refusal = transportRefusal(req);
    if (refusal) return refusal;
    return await fn();
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      return errorEnvelope(MIXPAY_CODES.PARAMETER_ERROR, "Parameter error: the body is too large", 413, {
        connection: "close",
      });
    if (e instanceof CreateOrderThrottledError) {
      return errorEnvelope(
        MIXPAY_CODES.PAYMENT_UNAVAILABLE,
        `This payment is unavailable: ${e.message}; retry after ${e.retryAfterSeconds} s`,
        429,
        { "retry-after": String(e.retryAfterSeconds) },
      );
    }
    if (!(e instanceof AppError) || e.code === AppErrorCode.INTERNAL) {
      log().error({ route, err: e }, "mixpay call failed");
    } else {
      log().info(
        { route, code: e.code, field: e.field, message: e.message, details: e.details },
        "mixpay call refused",
      );
    }
    return envelopeForError(e);
  }
}

export function handleAssetsRange(req: Request): Promise<Response> {
  return guarded(req, "assets/range", async () => {
    const p = parseParams(rangeParamsSchema, readQueryParams(new URL(req.url)));
    const data = await getAssetsRange(await getDb(), { payeeId: p.payee_id, wallet: p.wallet });
    return okEnvelope(data);
  });
}

export function handleCreateOrder(req: Request): Promise<Response> {
  return guarded(req, "create_order", async () => {
    const now = new Date();
    const e = env();
    const db = await getDb();
    const limits: ThrottleLimits = {
      perSource: e.MIXPAY_RATE_LIMIT_PER_SOURCE,
      perPayee: e.MIXPAY_RATE_LIMIT_PER_PAYEE,
      windowSeconds: e.MIXPAY_RATE_WINDOW_SECONDS,
    };
    const policy = { maxExpirySeconds: e.MIXPAY_MAX_EXPIRY_SECONDS, botIds: e.MIXPAY_BOT_IDS };
    // Read the body first so both counters and the catalog version are one statement; a refusal
    // by the source's limit still comes before any parameter error, as it always did.
    let p: CreateOrderParams | undefined;
    let invalid: unknown;
    try {
      p = parseParams(createOrderParamsSchema(now, policy), await readBodyParams(req));
    } catch (err) {
      invalid = err;
    }
    const { catalogVersion } = await throttleCreateOrder(
      db,
      { source: sourceOf.get(req) ?? "unknown", payee: p?.payee_id },
      limits,
      now,
    );
    if (!p) throw invalid;
    const links = await createOrder(db, p, { walletProvider, servedBy, now, catalogVersion });
    return okEnvelope(links);
  });
}

/** Any other method or path under /mixpay: still the envelope, never Next's HTML error page. */
export function handleUnknown(req: Request, allowed?: string): Response {
  const path = new URL(req.url).pathname;
  if (allowed) {
    return errorEnvelope(
      MIXPAY_CODES.PARAMETER_ERROR,
      `Parameter error: ${req.method} is not supported on ${path}; use ${allowed}`,
      405,
      { allow: allowed },
    );
  }
  return errorEnvelope(MIXPAY_CODES.PARAMETER_ERROR, `Parameter error: no MixPay route at ${path}`, 404);
}
