import { index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * Fixed-window request counters shared by every broker instance (create_order per source address
 * and per payee). One row per key holds the current window only: a call in a new window resets it.
 * Rows whose window has long passed are pruned by server/mixpay/rate-limit.ts.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    /** "<scope>:<subject>", e.g. "create_order:source:203.0.113.7". */
    key: text("key").primaryKey(),
    windowStart: tstz("window_start").notNull(),
    hits: integer("hits").notNull(),
  },
  (t) => [index("rate_limit_counters_window_idx").on(t.windowStart)],
);
