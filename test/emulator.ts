import type { MixinEmulator } from "@/test/doubles/mixin/emulator";
import { setBrokerDepsFactory } from "@/inngest/deps";
import { brokerDepsFromEnv } from "@/inngest/wire";
import { resetEnvCache } from "@/server/env";

/**
 * Point the broker's real Mixin port and MixPay client at a running emulator (no SDK retries, so a
 * fault shows on the first try): the environment, then the dependencies built from it.
 */
export function pointBrokerAtEmulator(emu: MixinEmulator, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    MIXIN_KEYSTORE: JSON.stringify(emu.keystore),
    MIXIN_API_BASE_URL: emu.url,
    MIXPAY_API_BASE_URL: emu.url,
    MIXIN_RETRIES: "-1",
    ...extra,
  });
  resetEnvCache();
  setBrokerDepsFactory(brokerDepsFromEnv);
}
