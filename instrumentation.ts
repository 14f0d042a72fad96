/**
 * Runs once when the server starts: validate the configuration and migrate (and, on the embedded
 * default, seed) the store before the first request, so a bad setting fails the start, not a call.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/server/env");
  const e = env();
  // A malformed Mixin keystore must fail the start (the SDK would silently send empty tokens).
  const { keystoreFromEnv } = await import("@/server/mixin/keystore");
  const keystore = keystoreFromEnv(process.env);
  if (!keystore && e.NODE_ENV === "production") {
    throw new Error("MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE is required in production: the broker cannot settle without its Mixin bot");
  }
  if (keystore && process.env.NEXT_PHASE !== "phase-production-build") {
    // Mixin must accept the keystore (token, profile, has_safe): production stops here, development warns.
    const [{ checkMixinKeystore }, { logger }] = await Promise.all([import("@/server/mixin/check-keystore"), import("@/server/logger")]);
    await checkMixinKeystore(keystore, { baseUrl: e.MIXIN_API_BASE_URL, timeoutMs: e.MIXIN_TIMEOUT_MS, production: e.NODE_ENV === "production", warn: (m) => logger("start").warn(m) });
  }
  const { getDb } = await import("@/db");
  await getDb();
}
