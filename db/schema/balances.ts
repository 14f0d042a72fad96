import { index, integer, pgTable, text, uuid, varchar, primaryKey } from "drizzle-orm/pg-core";
import { assets } from "./catalog";
import { createdAt, money, tstz, updatedAt } from "./columns";

/**
 * The Mixin bot's balance per asset, as last synced from Mixin (sum of unspent outputs), and the
 * part of it already promised (`reserved`). available = balance − reserved. create_order reserves
 * with one conditional UPDATE of this row (`balance - reserved >= amount`), which serialises
 * reservations per asset without summing orders (server/orders/reservations.ts).
 */
export const balances = pgTable("balances", {
  assetId: uuid("asset_id")
    .primaryKey()
    .references(() => assets.assetId),
  balance: money("balance").notNull().default("0"),
  /**
   * Sum of the amounts of this asset's orders in a reserving status (created until the expiry job
   * runs, paid, settling, settlement_failed) plus the reservation holds below. Changed in the same
   * transaction as every such status change; checked against the orders by check-reservations.
   */
  reserved: money("reserved").notNull().default("0"),
  syncedAt: tstz("synced_at"),
  /** Database clock when the stored sync began reading Mixin: an older sync never overwrites a newer one. */
  syncStartedAt: tstz("sync_started_at"),
  updatedAt: updatedAt(),
});

/**
 * An order whose transfer to MixPay may have left the bot, but which no longer reserves by its
 * status (settled, mixpay_refunded): its amount stays in `balances.reserved` until a balance
 * sync that began after `held_at` is stored, because until then the stored balance may still
 * include the money that left (issue 11, over-commit after settlement).
 */
export const reservationHolds = pgTable(
  "reservation_holds",
  {
    orderId: uuid("order_id").primaryKey(),
    assetId: uuid("asset_id").notNull(),
    amount: money("amount").notNull(),
    heldAt: tstz("held_at").notNull().defaultNow(),
  },
  (t) => [index("reservation_holds_asset_held_idx").on(t.assetId, t.heldAt)],
);

/** Health of the Mixin balance sync: consecutive failures raise an alert (no silent staleness). */
export const balanceSyncState = pgTable("balance_sync_state", {
  id: varchar("id", { length: 16 }).primaryKey(),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  lastError: text("last_error"),
  lastSuccessAt: tstz("last_success_at"),
  lastFailureAt: tstz("last_failure_at"),
  updatedAt: updatedAt(),
});

/**
 * Balances the broker holds at a wallet provider (e.g. its Binance Pay account, which pays
 * end-user refunds). Separate from the Mixin bot's balances above.
 */
export const walletBalances = pgTable(
  "wallet_balances",
  {
    wallet: varchar("wallet", { length: 20 }).notNull(),
    currency: varchar("currency", { length: 32 }).notNull(),
    balance: money("balance").notNull().default("0"),
    syncedAt: tstz("synced_at"),
    note: text("note").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.wallet, t.currency] })],
);
