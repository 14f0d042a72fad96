import { pgTable, text, uuid, varchar, primaryKey } from "drizzle-orm/pg-core";
import { assets } from "./catalog";
import { createdAt, money, tstz, updatedAt } from "./columns";

/**
 * The Mixin bot's balance per asset, as last synced from Mixin (sum of unspent outputs).
 * create_order reads this row FOR UPDATE, which serialises reservations per asset.
 */
export const balances = pgTable("balances", {
  assetId: uuid("asset_id")
    .primaryKey()
    .references(() => assets.assetId),
  balance: money("balance").notNull().default("0"),
  syncedAt: tstz("synced_at"),
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
