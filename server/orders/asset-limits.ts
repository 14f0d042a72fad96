import Decimal from "decimal.js";
import type { assets } from "@/db/schema";
import { ceil8, dec, floor8, type Money } from "@/server/money";

type AssetRow = typeof assets.$inferSelect;

export interface AssetLimits {
  /** In asset units, 8 decimals: min rounded up, max rounded down, so both stay inside the USDT bounds. */
  min: Money;
  max: Money;
}

/**
 * An asset's payment limits in its own units, from the operator's USDT bounds and the last
 * price synced from Mixin. No price (or a zero price) means the asset cannot be offered.
 */
export function assetLimits(a: Pick<AssetRow, "minUsdt" | "maxUsdt" | "priceUsd">): AssetLimits | undefined {
  if (a.priceUsd === null || !dec(a.priceUsd).gt(0)) return undefined;
  const price = dec(a.priceUsd);
  const min = ceil8(dec(a.minUsdt).div(price));
  const max = floor8(dec(a.maxUsdt).div(price));
  if (min.isZero() || max.lt(min)) return undefined;
  return { min, max };
}

/** A USDT figure as MixPay's examples print them: two decimals at least ("0.10"), more when needed. */
export function fmtUsdt(v: Money | string): string {
  const d = dec(v);
  return d.toFixed(Math.max(2, Math.min(8, d.decimalPlaces())));
}

/** USDT value of an asset amount, rounded down to cents precision (for a max capped by balance). */
export function usdtValueFloor(amount: Money, priceUsd: string): Money {
  return amount.mul(dec(priceUsd)).toDecimalPlaces(8, Decimal.ROUND_DOWN);
}
