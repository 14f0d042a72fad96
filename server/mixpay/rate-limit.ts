import { and, like, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";

/**
 * A fixed-window counter in PostgreSQL, so every broker instance behind a load balancer counts
 * the same calls (a per-process counter would multiply the limit by the number of instances).
 *
 * Why not a library: rate-limiter-flexible's PostgreSQL store drives node-postgres or knex, and
 * this broker talks to PostgreSQL through Drizzle on postgres.js or PGlite (embedded, no server);
 * one upsert statement does the same on both drivers, atomically under concurrency (the row's
 * primary key serialises increments), with no second connection pool.
 */
export interface RateRule {
  /** Calls allowed per window; 0 = unlimited (nothing is written). */
  limit: number;
  windowSeconds: number;
}

export interface RateVerdict {
  allowed: boolean;
  /** Calls counted in the current window, this one included. */
  hits: number;
  /** Seconds until the window ends. */
  retryAfterSeconds: number;
}

/** One prune every ~N calls keeps the table to the keys seen recently (random payee ids included). */
export const PRUNE_ONE_IN = 200;

export async function hitRateLimit(db: DbOrTx, key: string, rule: RateRule, now = new Date()): Promise<RateVerdict> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  if (rule.limit <= 0) return { allowed: true, hits: 0, retryAfterSeconds };
  // Same or newer window already stored (another instance's clock may lag a little): count in it.
  // An older window: start over at 1.
  const [row] = await db
    .insert(rateLimitCounters)
    .values({ key, windowStart, hits: 1 })
    .onConflictDoUpdate({
      target: rateLimitCounters.key,
      set: {
        hits: sql`case when ${rateLimitCounters.windowStart} >= excluded.window_start then ${rateLimitCounters.hits} + 1 else 1 end`,
        windowStart: sql`greatest(${rateLimitCounters.windowStart}, excluded.window_start)`,
      },
    })
    .returning({ hits: rateLimitCounters.hits });
  const hits = row!.hits;
  if (Math.random() * PRUNE_ONE_IN < 1)
    await pruneRateLimits(db, key.split(":")[0]!, new Date(windowStart.getTime() - windowMs));
  return { allowed: hits <= rule.limit, hits, retryAfterSeconds };
}

/** Forget counters of a scope whose window started before `before` (they would restart at 1 anyway). */
export async function pruneRateLimits(db: DbOrTx, scope: string, before: Date): Promise<number> {
  const gone = await db
    .delete(rateLimitCounters)
    .where(and(like(rateLimitCounters.key, `${scope}:%`), lt(rateLimitCounters.windowStart, before)))
    .returning({ key: rateLimitCounters.key });
  return gone.length;
}
