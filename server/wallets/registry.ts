import "server-only";
import { env, type Env } from "@/server/env";
import { BinanceCertificates } from "./binance/certificates";
import { BinancePayClient } from "./binance/client";
import { parseAssetCurrencies, type BinancePayConfig } from "./binance/config";
import { BinancePayWallet } from "./binance/binance-wallet";
import { DemoWallet } from "./demo";
import type { WalletProvider } from "./port";

export type WalletProviderKind = WalletProvider["kind"];

const overrides = new Map<WalletProviderKind, WalletProvider>();

/** The Binance Pay adapter with its certificate cache, built once per configuration. */
export interface BinancePay {
  wallet: BinancePayWallet;
  certificates: BinanceCertificates;
}
let binanceCache: { env: Env; pay: BinancePay | undefined } | undefined;

export function binancePayConfigFrom(e: Env): BinancePayConfig | undefined {
  if (!e.binancePayConfigured) return undefined;
  return {
    apiKey: e.BINANCE_PAY_API_KEY!,
    secret: e.BINANCE_PAY_SECRET!,
    baseUrl: e.BINANCE_PAY_BASE_URL,
    timeoutMs: e.BINANCE_PAY_TIMEOUT_MS,
    webhookUrl: e.BINANCE_PAY_WEBHOOK_URL ?? new URL("/api/webhooks/binance", e.PUBLIC_BASE_URL).toString(),
    publicBaseUrl: e.PUBLIC_BASE_URL,
    currencies: parseAssetCurrencies(e.BINANCE_PAY_ASSET_CURRENCIES),
    webhookToleranceMs: e.BINANCE_PAY_WEBHOOK_TOLERANCE_SECONDS * 1000,
    certificateTtlMs: e.BINANCE_PAY_CERTIFICATE_TTL_SECONDS * 1000,
    maxOrderExpiryMs: e.BINANCE_PAY_MAX_ORDER_EXPIRY_SECONDS * 1000,
  };
}

/** The configured Binance Pay adapter, or undefined when BINANCE_PAY_API_KEY/SECRET are unset. */
export function binancePay(): BinancePay | undefined {
  const e = env();
  if (binanceCache?.env !== e) {
    const config = binancePayConfigFrom(e);
    let pay: BinancePay | undefined;
    if (config) {
      const client = new BinancePayClient(config);
      pay = {
        wallet: new BinancePayWallet(client, config),
        certificates: new BinanceCertificates(() => client.certificates(), {
          ttlMs: config.certificateTtlMs,
          minRefetchMs: 10_000,
        }),
      };
    }
    binanceCache = { env: e, pay };
  }
  return binanceCache.pay;
}

/**
 * Which provider actually serves a wallet row's provider: `binance` falls back to the demo
 * wallet until Binance Pay is configured, so the embedded default runs with no keys. Orders
 * record the provider that served them.
 */
export function servedBy(kind: WalletProviderKind): WalletProviderKind {
  if (kind === "binance" && !overrides.has("binance") && !binancePay()) return "demo";
  return kind;
}

/** The provider behind a wallet row's `provider`. */
export function walletProvider(kind: WalletProviderKind): WalletProvider {
  const override = overrides.get(kind);
  if (override) return override;
  switch (kind) {
    case "demo":
      return new DemoWallet(env().PUBLIC_BASE_URL, env().demoWalletEnabled);
    case "binance": {
      const pay = binancePay();
      if (!pay)
        throw new Error("the binance wallet provider is not configured (BINANCE_PAY_API_KEY, BINANCE_PAY_SECRET)");
      return pay.wallet;
    }
  }
}

/** Replace a provider by a client pointed at a test double (never an in-process fake of our code). */
export function setWalletProvider(kind: WalletProviderKind, provider: WalletProvider | undefined): void {
  if (provider) overrides.set(kind, provider);
  else overrides.delete(kind);
}
