import type { Db } from "@/db/client";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { logger } from "@/server/logger";
import { hitRateLimit, type RateRule } from "./rate-limit";

/**
 * Per-source and per-payee limits on create_order. Every accepted call reserves part of the bot's
 * balance until expired_at, and MixPay's calls are not signed: without a limit one caller (or one
 * payee id) could reserve everything in a burst. Over the limit the answer is 11002 ("a sudden
 * influx of bots … resulting in insufficient assets", spec §4) with HTTP 429 and Retry-After.
 */
export type ThrottleSubject = "source" | "payee";

export class CreateOrderThrottledError extends Error {
  constructor(
    readonly subject: ThrottleSubject,
    readonly value: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`too many create_order calls for this ${subject === "source" ? "source address" : "payee_id"}`);
    this.name = "CreateOrderThrottledError";
  }
}

/** Refusals in one window after which the operators are told (once per window and key). */
export const THROTTLE_ALERT_AFTER = 10;

export interface ThrottleLimits {
  perSource: number;
  perPayee: number;
  windowSeconds: number;
}

export async function throttleCreateOrder(db: Db, subject: ThrottleSubject, value: string, limits: ThrottleLimits, now = new Date()): Promise<void> {
  const rule: RateRule = { limit: subject === "source" ? limits.perSource : limits.perPayee, windowSeconds: limits.windowSeconds };
  const key = `create_order:${subject}:${value}`;
  const v = await hitRateLimit(db, key, rule, now);
  if (v.allowed) return;
  const refused = v.hits - rule.limit;
  if (refused === 1) logger("mixpay").warn({ subject, value, limit: rule.limit, windowSeconds: rule.windowSeconds }, "create_order throttled");
  if (refused === THROTTLE_ALERT_AFTER) {
    await raiseAlert(db, {
      kind: "create_order_throttled",
      dedupeKey: `create_order_throttled:${subject}:${value}`,
      severity: "warning",
      message: `create_order refused ${THROTTLE_ALERT_AFTER}+ calls in ${rule.windowSeconds} s for ${subject} ${value} (limit ${rule.limit}). If this is MixPay, raise MIXPAY_RATE_LIMIT_PER_${subject.toUpperCase()}; otherwise someone is flooding the broker.`,
      data: { subject, value, limit: rule.limit, windowSeconds: rule.windowSeconds, hits: v.hits },
    });
  }
  throw new CreateOrderThrottledError(subject, value, v.retryAfterSeconds);
}
