import { env } from "@/server/env";
import { DemoWallet } from "./demo";
import type { WalletProvider } from "./port";

export type WalletProviderKind = WalletProvider["kind"];

const overrides = new Map<WalletProviderKind, WalletProvider>();

/** The provider behind a wallet row's `provider`. Binance Pay plugs in here once configured. */
export function walletProvider(kind: WalletProviderKind): WalletProvider {
  const override = overrides.get(kind);
  if (override) return override;
  switch (kind) {
    case "demo":
      return new DemoWallet(env().PUBLIC_BASE_URL, env().demoWalletEnabled);
    case "binance":
      // Until the Binance Pay adapter exists, a wallet row must map binance names to the demo provider.
      throw new Error("the binance wallet provider is not configured");
  }
}

/** Replace a provider by a client pointed at a test double (never an in-process fake of our code). */
export function setWalletProvider(kind: WalletProviderKind, provider: WalletProvider | undefined): void {
  if (provider) overrides.set(kind, provider);
  else overrides.delete(kind);
}
