import pino, { type Logger } from "pino";
import { env } from "./env";

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
  'headers["binancepay-signature"]',
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
    root = pino({
      level: env().LOG_LEVEL,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { app: "mixpay-broker" },
    });
    children.clear();
  }
  if (!name) return root;
  let child = children.get(name);
  if (!child) children.set(name, (child = root.child({ module: name })));
  return child;
}
