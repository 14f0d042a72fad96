import pino, { type Logger } from "pino";
import { env } from "./env";
import { requestIdOf } from "./http/request-id";

/** Fields never written to logs, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  "*.spend_private_key",
  "*.session_private_key",
  "*.private_key",
  "*.pin",
  "*.password",
  "*.passwordHash",
  "*.secret",
  "*.*.secret",
  "*.apiSecret",
  "*.BINANCE_PAY_SECRET",
  "BINANCE_PAY_SECRET",
  "*.binancePaySecret",
  "headers[\"binancepay-signature\"]",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
];

let root: Logger | undefined;
/** One child per module name (a child per call cost an allocation and a bindings copy on every request). */
const children = new Map<string, Logger>();

/** The process logger (JSON lines); modules take a child with their own name. */
export function logger(name?: string): Logger {
  if (!root) {
    root = pino({ level: env().LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { app: "mixpay-broker" } });
    children.clear();
  }
  if (!name) return root;
  let child = children.get(name);
  if (!child) children.set(name, (child = root.child({ module: name })));
  return child;
}

/** A module logger carrying the request id the proxy stamped (proxy.ts), so one request's lines can be found together. */
export function requestLogger(req: Request, name: string): Logger {
  return logger(name).child({ reqId: requestIdOf(req) });
}

/** One access line per answered request on the routes outsiders call (MixPay, wallet webhooks). */
export function accessLog(req: Request, res: { status: number }, startedMs: number, extra: Record<string, unknown> = {}): void {
  if (!logger("access").isLevelEnabled("info")) return;
  const url = new URL(req.url);
  requestLogger(req, "access").info({ method: req.method, path: url.pathname, status: res.status, ms: Math.round(performance.now() - startedMs), ...extra }, "request");
}
