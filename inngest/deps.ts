import type { MixPayResultApi, SettlementMixin } from "@/server/settlement/ports";

/**
 * The remote services the durable functions talk to, built from the environment on first use.
 * Tests point the environment at the local doubles (Mixin emulator, Binance Pay double), so the
 * real clients run there too.
 */
export interface BrokerDeps {
  mixin: SettlementMixin;
  mixpay: MixPayResultApi;
}

let cached: BrokerDeps | undefined;
let factory: (() => BrokerDeps) | undefined;

/** Registered by the module that knows how to build the real clients (see inngest/wire.ts). */
export function setBrokerDepsFactory(f: () => BrokerDeps): void {
  factory = f;
  cached = undefined;
}

export function brokerDeps(): BrokerDeps {
  if (!cached) {
    if (!factory) throw new Error("broker dependencies are not configured (Mixin port, MixPay API)");
    cached = factory();
  }
  return cached;
}
