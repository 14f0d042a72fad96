import type { Db } from "./client";
import { assets, balances, payeeAccessPolicy, wallets } from "./schema";
import { seedDemoUsers } from "./seed-users";

/** Mixin asset ids of the demo assets (the same ids as on Mixin mainnet). */
export const DEMO_ASSETS = {
  USDT: "4d8c508b-91c5-375b-92b0-ee702ed2dac5",
  BTC: "c6d0c728-2624-429b-8e0d-d9d19b6592fa",
  ETH: "43d61dcd-e413-450d-80b8-101d5e903357",
} as const;

/**
 * Demo configuration for the embedded default. Idempotent: existing rows are left as the
 * operator changed them. Balances and prices here are placeholders until the first sync.
 */
export async function seedDemoData(db: Db): Promise<void> {
  await db
    .insert(wallets)
    .values([
      { name: "demo", provider: "demo", displayName: "Demo wallet" },
      // The Binance Pay adapter once BINANCE_PAY_API_KEY/SECRET are set; until then the demo
      // provider serves it (server/wallets/registry.ts, servedBy).
      { name: "binance", provider: "binance", displayName: "Binance Pay" },
    ])
    .onConflictDoNothing();
  await db
    .insert(assets)
    .values([
      {
        assetId: DEMO_ASSETS.USDT,
        symbol: "USDT",
        name: "Tether USD (ERC-20)",
        minUsdt: "0.10",
        maxUsdt: "1000",
        feeRate: "0.01",
        priceUsd: "1",
        priceUpdatedAt: new Date(),
        lowBalanceThreshold: "100",
      },
      {
        assetId: DEMO_ASSETS.BTC,
        symbol: "BTC",
        name: "Bitcoin",
        minUsdt: "1",
        maxUsdt: "1000",
        feeRate: "0.01",
        priceUsd: "95000",
        priceUpdatedAt: new Date(),
        lowBalanceThreshold: "0.005",
      },
      {
        assetId: DEMO_ASSETS.ETH,
        symbol: "ETH",
        name: "Ether",
        minUsdt: "1",
        maxUsdt: "1000",
        feeRate: "0.01",
        priceUsd: "3500",
        priceUpdatedAt: new Date(),
        lowBalanceThreshold: "0.1",
      },
    ])
    .onConflictDoNothing();
  await db
    .insert(balances)
    .values([
      { assetId: DEMO_ASSETS.USDT, balance: "5000", syncedAt: new Date() },
      { assetId: DEMO_ASSETS.BTC, balance: "0.05", syncedAt: new Date() },
      { assetId: DEMO_ASSETS.ETH, balance: "1.5", syncedAt: new Date() },
    ])
    .onConflictDoNothing();
  await db.insert(payeeAccessPolicy).values({ id: "default", mode: "open" }).onConflictDoNothing();
  await seedDemoUsers(db);
}
