import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets } from "@/db/schema";
import { dec } from "@/server/money";
import { availableBalances } from "@/server/orders/reservations";

/** Per asset: the bot's balance, what open orders reserve, what is left, and whether it is below the threshold. */
export async function balanceHealth(db: Db) {
  const [rows, available] = await Promise.all([
    db.select().from(assets).orderBy(asc(assets.symbol)),
    availableBalances(db),
  ]);
  return rows.map((a) => {
    const b = available.get(a.assetId);
    return {
      assetId: a.assetId,
      symbol: a.symbol,
      enabled: a.enabled,
      balance: b?.balance.toFixed() ?? "0",
      reserved: b?.reserved.toFixed() ?? "0",
      available: b?.available.toFixed() ?? "0",
      syncedAt: b?.syncedAt ?? null,
      lowBalanceThreshold: a.lowBalanceThreshold,
      low: a.lowBalanceThreshold !== null && (b?.balance ?? dec("0")).lt(dec(a.lowBalanceThreshold)),
      minUsdt: a.minUsdt,
      maxUsdt: a.maxUsdt,
      feeRate: a.feeRate,
      priceUsd: a.priceUsd,
    };
  });
}
