import { AppError, AppErrorCode } from "@/server/errors";

/** The Binance Pay adapter's settings, taken from server/env.ts. */
export interface BinancePayConfig {
  apiKey: string;
  secret: string;
  baseUrl: string;
  timeoutMs: number;
  /** Where Binance posts notifications (the broker's /api/webhooks/binance, publicly reachable). */
  webhookUrl: string;
  /** The broker's public base URL: the return route /r/<orderId> is built from it. */
  publicBaseUrl: string;
  /** Mixin asset_id → Binance Pay currency symbol (only symbols enabled on the merchant profile work). */
  currencies: ReadonlyMap<string, string>;
  /** Webhooks signed longer ago (or further ahead) than this are refused. */
  webhookToleranceMs: number;
  certificateTtlMs: number;
  /** orderExpireTime is clamped to now + this (BINANCE_PAY_MAX_ORDER_EXPIRY_SECONDS). */
  maxOrderExpiryMs: number;
}

/** "asset_id:SYMBOL,asset_id:SYMBOL" → map; refuses malformed entries at start-up. */
export function parseAssetCurrencies(spec: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Z0-9]{2,16})$/i.exec(entry);
    if (!m)
      throw new AppError(AppErrorCode.BAD_PARAMETER, `BINANCE_PAY_ASSET_CURRENCIES: "${entry}" is not asset_id:SYMBOL`);
    map.set(m[1]!.toLowerCase(), m[2]!.toUpperCase());
  }
  return map;
}

/** The Mixin ids of USDT, BTC and ETH and their Binance symbols: the default map. */
export const DEFAULT_ASSET_CURRENCIES =
  "4d8c508b-91c5-375b-92b0-ee702ed2dac5:USDT,c6d0c728-2624-429b-8e0d-d9d19b6592fa:BTC,43d61dcd-e413-450d-80b8-101d5e903357:ETH";
