import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * Failed console sign-ins, counted per key ("account:<email>" and "address:<ip>"). In the store,
 * not in memory, so the count and the lock hold across every broker instance on one database.
 * A row whose last failure is older than the counting window starts again from zero.
 */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lastFailureAt: tstz("last_failure_at").notNull(),
  /** Sign-ins on this key are refused (even with the right password) until then. */
  lockedUntil: tstz("locked_until"),
});
