/**
 * Runs once when the server starts: validate the configuration and migrate (and, on the embedded
 * default, seed) the store before the first request, so a bad setting fails the start, not a call.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // scripts/serve.ts waits on this before it listens: Next only logs a throw from here and then
  // answers 500 to every request, so the server itself turns a failure into exit 1 with the reason.
  const startup = (globalThis as Record<symbol, { resolve(): void; reject(err: unknown): void } | undefined>)[
    Symbol.for("mixpay-broker.startup")
  ];
  try {
    await checkAndOpen();
    startup?.resolve();
  } catch (err) {
    startup?.reject(err);
    throw err;
  }
}

async function checkAndOpen() {
  // Repeated here so the edge build drops the Node-only imports below as dead code.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/server/env");
  const e = env();
  // A malformed Mixin keystore must fail the start (the SDK would silently send empty tokens).
  const { keystoreFromEnv } = await import("@/server/mixin/keystore");
  const keystore = keystoreFromEnv(process.env);
  if (!keystore && e.NODE_ENV === "production") {
    throw new Error(
      "MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE is required in production: the broker cannot settle without its Mixin bot",
    );
  }
  if (keystore && process.env.NEXT_PHASE !== "phase-production-build") {
    // Mixin must accept the keystore (token, profile, has_safe): production stops here, development warns.
    const [{ checkMixinKeystore }, { logger }] = await Promise.all([
      import("@/server/mixin/check-keystore"),
      import("@/server/logger"),
    ]);
    await checkMixinKeystore(keystore, {
      baseUrl: e.MIXIN_API_BASE_URL,
      timeoutMs: e.MIXIN_TIMEOUT_MS,
      production: e.NODE_ENV === "production",
      warn: (m) => logger("start").warn(m),
    });
  }
  const { getDb } = await import("@/db");
  await getDb();
}
