import { env } from "@/server/env";
import { keystoreFromEnv } from "@/server/mixin/keystore";
import { SafeMixinPort } from "@/server/mixin/mixin-port";
import { createMixPayResultApi } from "@/server/settlement/mixpay-result";
import { setBrokerDepsFactory, type BrokerDeps } from "./deps";

/** Build the real clients from the validated environment (the emulator's URLs in dev and tests). */
export function brokerDepsFromEnv(): BrokerDeps {
  const e = env();
  const keystore = keystoreFromEnv(process.env);
  if (!keystore)
    throw new Error(
      "the Mixin bot is not configured: set MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE (npm run dev starts the Mixin emulator and sets it)",
    );
  const mixin = new SafeMixinPort({
    keystore,
    baseUrl: e.MIXIN_API_BASE_URL,
    timeoutMs: e.MIXIN_TIMEOUT_MS,
    retries: e.MIXIN_RETRIES,
  });
  return {
    mixin,
    balances: mixin,
    snapshots: mixin,
    messenger: mixin,
    mixpay: createMixPayResultApi(e.MIXPAY_API_BASE_URL),
  };
}

setBrokerDepsFactory(brokerDepsFromEnv);
