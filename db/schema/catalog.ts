import { boolean, pgEnum, pgTable, primaryKey, text, uuid, varchar } from "drizzle-orm/pg-core";
import { createdAt, money, rate, tstz, updatedAt } from "./columns";

/** Which implementation serves a wallet name that MixPay sends. */
export const walletProviderKind = pgEnum("wallet_provider_kind", ["demo", "binance"]);

/** The `wallet` values this broker answers for (MixPay's `wallet` parameter, at most 20 chars). */
export const wallets = pgTable("wallets", {
  name: varchar("name", { length: 20 }).primaryKey(),
  provider: walletProviderKind("provider").notNull(),
  displayName: text("display_name").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Mixin assets the broker settles in, with MixPay-facing limits in USDT and the broker's fee rate. */
export const assets = pgTable("assets", {
  assetId: uuid("asset_id").primaryKey(),
  symbol: varchar("symbol", { length: 32 }).notNull(),
  name: text("name").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  minUsdt: money("min_usdt").notNull(),
  maxUsdt: money("max_usdt").notNull(),
  /** 0.01 means 1%: the end user pays amount × (1 + feeRate). */
  feeRate: rate("fee_rate").notNull().default("0"),
  /** Last USD price read from Mixin; null until known (an asset without a price is not offered). */
  priceUsd: money("price_usd"),
  priceUpdatedAt: tstz("price_updated_at"),
  /** Below this synced balance a low-balance alert is raised; null disables the alert. */
  lowBalanceThreshold: money("low_balance_threshold"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const payeeAccessMode = pgEnum("payee_access_mode", ["open", "allow_list"]);
export const payeeListKind = pgEnum("payee_list_kind", ["allow", "block"]);

/** One row (id = 1): whether the broker is open to every payee or only to the allow-list. */
export const payeeAccessPolicy = pgTable("payee_access_policy", {
  id: varchar("id", { length: 16 }).primaryKey().default("default"),
  mode: payeeAccessMode("mode").notNull().default("open"),
  updatedAt: updatedAt(),
});

/** Allow-list and block-list entries; the block-list wins over everything. */
export const payeeAccessEntries = pgTable(
  "payee_access_entries",
  {
    payeeId: uuid("payee_id").notNull(),
    list: payeeListKind("list").notNull(),
    note: text("note").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.payeeId, t.list] })],
);
