import type { BalanceSource } from "@/server/balances/sync-balances";
import type { MixPayResultApi, SettlementMixin } from "@/server/settlement/ports";
import type { SnapshotSource } from "@/server/snapshots/poll-snapshots";

/**
 * The remote services the durable functions talk to, built from the environment on first use
 * (inngest/wire.ts). Tests point the environment at the local doubles (Mixin emulator, MixPay
 * API double, Binance Pay double), so the real clients run there too.
 */
export interface BrokerDeps {
  mixin: SettlementMixin;
  mixpay: MixPayResultApi;
  balances: BalanceSource;
  snapshots: SnapshotSource;
  /** Bot messages to operators (alerts); idempotent by message id. */
  messenger: { sendText(userId: string, text: string, messageId: string): Promise<void> };
}

let cached: BrokerDeps | undefined;
let factory: (() => BrokerDeps) | undefined;

export function setBrokerDepsFactory(f: (() => BrokerDeps) | undefined): void {
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
