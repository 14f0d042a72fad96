import type { Logger } from "pino";
import { logger } from "@/server/logger";
import { requestIdOf } from "./request-id";

/** A module logger carrying the request id the proxy stamped (proxy.ts), so one request's lines can be found together. */
export function requestLogger(req: Request, name: string): Logger {
  return logger(name).child({ reqId: requestIdOf(req) });
}

/** One access line per answered request on the routes outsiders call (MixPay, wallet webhooks). */
export function accessLog(
  req: Request,
  res: { status: number },
  startedMs: number,
  extra: Record<string, unknown> = {},
): void {
  if (!logger("access").isLevelEnabled("info")) return;
  const url = new URL(req.url);
  requestLogger(req, "access").info(
    {
      method: req.method,
      path: url.pathname,
      status: res.status,
      ms: Math.round(performance.now() - startedMs),
      ...extra,
    },
    "request",
  );
}
