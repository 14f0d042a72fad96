import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { CATALOG_VERSION } from "@/server/catalog/catalog-cache";
import { logger } from "@/server/logger";
import { rowsOf } from "@/server/orders/reservations";
import { PRUNE_ONE_IN, pruneRateLimits, type RateRule } from "./rate-limit";

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

/**
 * Count this call for its source address and (when the body named one) its payee, in ONE
 * statement that also reads the catalog version (server/catalog/catalog-cache.ts) for the rest
 * of the request. The payee is counted only when the source was within its limit, as when these
 * were two statements in a row: a flood from one address never eats a payee's allowance.
 * A fixed-window counter in PostgreSQL (server/mixpay/rate-limit.ts): every instance counts the same calls.
 * Throws CreateOrderThrottledError (source first) when a limit is passed.
 */
export async function throttleCreateOrder(
  db: Db,
  who: { source: string; payee?: string },
  limits: ThrottleLimits,
  now = new Date(),
): Promise<{ catalogVersion: string | null }> {
  const windowMs = limits.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  const sourceKey = `create_order:source:${who.source}`;
  const payeeKey = `create_order:payee:${who.payee}`;
  const countSource = limits.perSource > 0;
  const countPayee = limits.perPayee > 0 && who.payee !== undefined;

  const ctes: SQL[] = [];
  if (countSource)
    ctes.push(sql`s as (${upsertHit(sql`values (${sourceKey}, ${windowStart.toISOString()}::timestamptz, 1)`)})`);
  if (countPayee) {
    const from = countSource ? sql`from s where s.hits <= ${limits.perSource}` : sql``;
    ctes.push(sql`p as (${upsertHit(sql`select ${payeeKey}, ${windowStart.toISOString()}::timestamptz, 1 ${from}`)})`);
  }
  const result = await db.execute(sql`
    ${ctes.length ? sql`with ${sql.join(ctes, sql`, `)}` : sql``}
    select ${countSource ? sql`(select hits from s)` : sql`null::int`} as source_hits,
           ${countPayee ? sql`(select hits from p)` : sql`null::int`} as payee_hits,
           ${CATALOG_VERSION} as catalog_version`);
  const [row] = rowsOf<{ source_hits: number | null; payee_hits: number | null; catalog_version: string | null }>(
    result,
  );
  if (ctes.length && Math.random() * PRUNE_ONE_IN < 1)
    await pruneRateLimits(db, "create_order", new Date(windowStart.getTime() - windowMs));

  const rule = (limit: number): RateRule => ({ limit, windowSeconds: limits.windowSeconds });
  if (countSource)
    await judge(db, "source", who.source, rule(limits.perSource), Number(row!.source_hits), retryAfterSeconds);
  if (countPayee && row!.payee_hits !== null)
    await judge(db, "payee", who.payee!, rule(limits.perPayee), Number(row!.payee_hits), retryAfterSeconds);
  return { catalogVersion: row?.catalog_version ?? null };
}

/** Same or newer window already stored (another instance's clock may lag a little): count in it; an older window: start over at 1. */
function upsertHit(values: SQL): SQL {
  return sql`insert into ${rateLimitCounters} (key, window_start, hits) ${values}
    on conflict (key) do update set
      hits = case when ${rateLimitCounters.windowStart} >= excluded.window_start then ${rateLimitCounters.hits} + 1 else 1 end,
      window_start = greatest(${rateLimitCounters.windowStart}, excluded.window_start)
    returning hits`;
}

async function judge(
  db: Db,
  subject: ThrottleSubject,
  value: string,
  rule: RateRule,
  hits: number,
  retryAfterSeconds: number,
): Promise<void> {
  if (hits <= rule.limit) return;
  const refused = hits - rule.limit;
  if (refused === 1)
    logger("mixpay").warn(
      { subject, value, limit: rule.limit, windowSeconds: rule.windowSeconds },
      "create_order throttled",
    );
  if (refused === THROTTLE_ALERT_AFTER) {
    await raiseAlert(db, {
      kind: "create_order_throttled",
      dedupeKey: `create_order_throttled:${subject}:${value}`,
      severity: "warning",
      message: `create_order refused ${THROTTLE_ALERT_AFTER}+ calls in ${rule.windowSeconds} s for ${subject} ${value} (limit ${rule.limit}). If this is MixPay, raise MIXPAY_RATE_LIMIT_PER_${subject.toUpperCase()}; otherwise someone is flooding the broker.`,
      data: { subject, value, limit: rule.limit, windowSeconds: rule.windowSeconds, hits },
    });
  }
  throw new CreateOrderThrottledError(subject, value, retryAfterSeconds);
}
