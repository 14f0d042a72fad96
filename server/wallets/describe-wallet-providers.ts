import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { wallets } from "@/db/schema";
import { env } from "@/server/env";
import { servedBy, type WalletProviderKind } from "./registry";

export interface WalletProviderDescription {
  /** The `wallet` value MixPay sends. */
  wallet: string;
  displayName: string;
  enabled: boolean;
  /** The provider the wallet row names. */
  provider: WalletProviderKind;
  /** The provider that serves it right now (binance falls back to demo until configured). */
  servedBy: WalletProviderKind;
  /** One line for the console, e.g. "Binance Pay at https://bpay.binanceapi.com". */
  summary: string;
}

/** Which provider serves each wallet, for the console's wallet page. Never exposes secrets. */
export async function describeWalletProviders(db: Db): Promise<WalletProviderDescription[]> {
  const rows = await db.select().from(wallets).orderBy(asc(wallets.name));
  return rows.map(describeWallet);
}

/** One wallet row: the provider that serves it right now, and a line saying so. */
export function describeWallet(w: typeof wallets.$inferSelect): WalletProviderDescription {
  const e = env();
  const by = servedBy(w.provider);
  let summary: string;
  if (by === "binance") summary = `Binance Pay at ${e.BINANCE_PAY_BASE_URL}`;
  else if (w.provider === "binance")
    summary = `Demo wallet (Binance Pay is not configured: set BINANCE_PAY_API_KEY and BINANCE_PAY_SECRET)${e.demoWalletEnabled ? "" : "; the demo wallet is disabled, so payments fail"}`;
  else summary = e.demoWalletEnabled ? "Demo wallet (hosted checkout page, no money moves)" : "Demo wallet (disabled)";
  return {
    wallet: w.name,
    displayName: w.displayName,
    enabled: w.enabled,
    provider: w.provider,
    servedBy: by,
    summary,
  };
}
