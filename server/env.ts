import "server-only";
import { z } from "zod";
import { DEFAULT_ASSET_CURRENCIES, parseAssetCurrencies } from "./wallets/binance/config";
import { inUnsafeTestMode, productionRefusals } from "./config/production-refusals";

/**
 * Every setting of the broker, validated once. Each one is documented in .env.example
 * (server/config/env-example.test.ts keeps the two in step).
 */
const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const csv = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** PostgreSQL URL; when unset the broker runs on embedded PGlite in PGLITE_DATA_DIR. */
  DATABASE_URL: z.url().optional(),
  PGLITE_DATA_DIR: z.string().min(1).default(".data/pglite"),
  /**
   * Pool size of the postgres.js client. At least 2: a settlement transfer holds one connection
   * for its asset's advisory lock and stores the signed raw on another (server/settlement/transfer-lock.ts).
   */
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(2, "at least 2 (a settlement transfer holds one connection for its lock and writes on another)")
    .max(200)
    .default(10),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Serve HTTPS directly with this certificate and key (PEM files); usually a proxy terminates TLS instead. */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** Public base URL of this broker; checkout links and return routes are built from it. Default http://localhost:PORT. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** Seed the demo wallets, assets and balances when the store is empty. */
  SEED_DEMO_DATA: boolish.optional(),
  /** Refuse plain-HTTP calls to the MixPay routes. Defaults to true in production. */
  MIXPAY_REQUIRE_HTTPS: boolish.optional(),
  /** Proxies (IPs or CIDRs) whose X-Forwarded-Proto / X-Forwarded-For are believed. */
  TRUSTED_PROXIES: csv,
  /** If set, only these source addresses (IPs or CIDRs) may call the MixPay routes. Required in production (see mixpayIntakeProblems). */
  MIXPAY_ALLOWED_SOURCES: csv,
  /** Production override: serve the MixPay routes to any source address (logged loudly at start). */
  MIXPAY_ALLOW_ANY_SOURCE: boolish.optional(),
  /** If set, create_order accepts only these opponent_id values (MixPay's Mixin bot ids). */
  MIXPAY_BOT_IDS: csv,
  /** Longest payment window create_order accepts (expired_at − now, seconds); longer is 11000. */
  MIXPAY_MAX_EXPIRY_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(2 * 3600),
  /** create_order calls allowed per source address / per payee_id in each window (0 = no limit). */
  MIXPAY_RATE_LIMIT_PER_SOURCE: z.coerce.number().int().min(0).default(600),
  MIXPAY_RATE_LIMIT_PER_PAYEE: z.coerce.number().int().min(0).default(100),
  MIXPAY_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Serve the demo wallet (a hosted page where "Pay" needs no money). Defaults to true except in
   * production: with real Mixin keys a demo payment would make the broker pay MixPay for nothing.
   */
  DEMO_WALLET_ENABLED: boolish.optional(),
  /** The Mixin bot's keystore JSON (app_id, session_id, server_public_key, session_private_key, spend_private_key). */
  MIXIN_KEYSTORE: z.string().optional(),
  /** …or a path to a file holding it. */
  MIXIN_KEYSTORE_FILE: z.string().optional(),
  /** Mixin's API; npm run dev points it at the Mixin emulator. */
  MIXIN_API_BASE_URL: z.url().default("https://api.mixin.one"),
  /** Per-request timeout of Mixin calls, and the SDK's retries of idempotent failures (-1 = none). */
  MIXIN_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  MIXIN_RETRIES: z.coerce.number().int().min(-1).max(10).default(2),
  /** MixPay's public API (payment results); tests and the embedded default point it at the emulated MixPay. */
  MIXPAY_API_BASE_URL: z.url().default("https://api.mixpay.me"),
  /** Alert when the Mixin snapshot watcher fails this many passes in a row. */
  SNAPSHOT_WATCH_FAILURE_ALERT_AFTER: z.coerce.number().int().min(1).max(1000).default(3),
  /** Alert when the snapshot watcher has not read up to the present for this many seconds. */
  SNAPSHOT_WATCH_LAG_ALERT_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
  /** A settling order MixPay reports failed, whose refund has not come back after this many minutes, is alerted. */
  SETTLEMENT_REFUND_WAIT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  /** A spent settlement whose trace MixPay's API does not know counts as settled after this many minutes without a refund. */
  SETTLEMENT_UNKNOWN_TRACE_WAIT_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  /** The confirm step checks again (every 0.1–0.5 s) for this long while Mixin has not spent the transfer or MixPay has not seen it, before leaving it to Inngest's retry backoff; 0 = no in-step wait. */
  SETTLEMENT_CONFIRM_WAIT_SECONDS: z.coerce.number().int().min(0).max(120).default(15),
  /** Mixin user ids (comma-separated) the bot messages about every new alert. Optional. */
  ALERT_MIXIN_USER_IDS: csv,
  /** POST every new alert as JSON to this URL (Idempotency-Key = alert id). Optional. */
  ALERT_WEBHOOK_URL: z.url().optional(),
  /**
   * Binance Pay merchant API key ("API identity key", sent as BinancePay-Certificate-SN) and its
   * secret (signs every request; never logged). With both set the `binance` wallet is served by
   * the Binance Pay adapter; without them by the demo wallet.
   */
  BINANCE_PAY_API_KEY: z.string().min(1).optional(),
  BINANCE_PAY_SECRET: z.string().min(1).optional(),
  /** Binance Pay's API (a local Binance Pay double in development and tests). */
  BINANCE_PAY_BASE_URL: z.url().default("https://bpay.binanceapi.com"),
  /** Per-request timeout of Binance Pay calls. */
  BINANCE_PAY_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  /** Public URL of the broker's Binance webhook route; default PUBLIC_BASE_URL + /api/webhooks/binance. */
  BINANCE_PAY_WEBHOOK_URL: z.url().optional(),
  /** Refuse webhooks signed more than this many seconds ago (or ahead); replays inside it are refused by nonce. */
  BINANCE_PAY_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /**
   * The furthest ahead a Binance Pay order may expire (orderExpireTime is clamped to now + this);
   * MixPay's expired_at stays the order's own deadline. Binance's v1 docs give 1 hour as the
   * maximum and the v3 maximum is unconfirmed (research/binance-pay.md §2, §8): raise it only
   * once Binance has confirmed more for your merchant account.
   */
  BINANCE_PAY_MAX_ORDER_EXPIRY_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(3_600),
  /** How long Binance's platform certificates are cached (an unknown serial refetches at once). */
  BINANCE_PAY_CERTIFICATE_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3_600),
  /** Mixin asset_id → Binance Pay currency, "asset_id:SYMBOL,…"; only symbols enabled on your merchant profile work. */
  BINANCE_PAY_ASSET_CURRENCIES: z.string().default(DEFAULT_ASSET_CURRENCIES),
  /** Secret that signs console sessions (JWT cookies). Required in production; a fixed dev value otherwise. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  /**
   * Sign in with Mixin (OAuth): the bot's app id and its OAuth client secret from the Mixin
   * developer dashboard. The button shows only when both are set; npm run dev sets them to the
   * Mixin emulator's OAuth double.
   */
  MIXIN_OAUTH_CLIENT_ID: z.uuid().optional(),
  MIXIN_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  /** Mixin's OAuth endpoints: the authorize page (browser), the token exchange and the profile (server to server). */
  MIXIN_OAUTH_AUTHORIZE_URL: z.url().default("https://mixin.one/oauth/authorize"),
  MIXIN_OAUTH_TOKEN_URL: z.url().default("https://api.mixin.one/oauth/token"),
  MIXIN_OAUTH_PROFILE_URL: z.url().default("https://api.mixin.one/me"),
  /**
   * Hosts the return route (/r/<order>) and the demo checkout may redirect to ("*.example.com" =
   * any subdomain). Default MixPay's own; the broker's own host always, localhost in development.
   */
  RETURN_URL_ALLOWED_HOSTS: z.string().default("mixpay.me,*.mixpay.me"),
  /** /api/ready answers 503 when the last balance sync, snapshot poll or oldest unsent outbox event is older than these. */
  READY_MAX_BALANCE_SYNC_AGE_SECONDS: z.coerce.number().int().min(10).default(100),
  READY_MAX_SNAPSHOT_POLL_AGE_SECONDS: z.coerce.number().int().min(10).default(300),
  READY_MAX_OUTBOX_AGE_SECONDS: z.coerce.number().int().min(10).default(300),
  /** Bearer token for /api/metrics (Prometheus). Unset: the route answers 404 (metrics off). */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Reservations and balance sync (server/orders/reserve-order.ts, server/balances/).
  BALANCE_SYNC_MAX_AGE_SECONDS: z.coerce.number().int().min(5).max(3_600).default(60),
  BALANCE_SYNC_ALERT_AFTER_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  BALANCE_SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(60).default(10),
  SNAPSHOT_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(60).default(10),
  ...serviceSettings(),
});

/** Settings of the process as a service: production refusals, Inngest, start and stop (scripts/serve.ts). */
function serviceSettings() {
  return {
    /** Accept the embedded PGlite store in production (one process on one disk; no replica, no second node). */
    ALLOW_EMBEDDED_DB_IN_PRODUCTION: boolish.optional(),
    /** Tests and benchmarks only: production build over http with demo wallet and data; loopback everything (server/config/production-refusals.ts). */
    BROKER_UNSAFE_TEST_MODE: boolish.optional(),
    /** Inngest: key to send events, key Inngest signs its calls to /api/inngest with (and the previous one while rotating). Read by the Inngest SDK. */
    INNGEST_EVENT_KEY: z.string().min(1).optional(),
    INNGEST_SIGNING_KEY: z.string().min(1).optional(),
    INNGEST_SIGNING_KEY_FALLBACK: z.string().min(1).optional(),
    /** Inngest server (self-hosted `inngest start`); unset = Inngest Cloud. */
    INNGEST_BASE_URL: z.url().optional(),
    /** The origin Inngest calls this broker on (e.g. http://broker:3000 inside compose); default: the request's. Read by the Inngest SDK. */
    INNGEST_SERVE_ORIGIN: z.url().optional(),
    /** Use an Inngest dev server (no keys); `npm run dev` sets it. */
    INNGEST_DEV: z.string().min(1).optional(),
    /** On SIGTERM: stop accepting, let requests in flight finish for up to this long (longer than the slowest outbound call), then exit. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(35_000),
    /** At start, keep retrying an unreachable PostgreSQL (with backoff) for this long, then exit non-zero. */
    STARTUP_DB_WAIT_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60),
    /** npm run dev / browser tests: ports of the Mixin emulator, the local Inngest runner and the Binance Pay double (on when BINANCE_PAY_DOUBLE=1). */
    MIXIN_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(7001),
    INNGEST_LOCAL_PORT: z.coerce.number().int().min(1).max(65535).default(8288),
    BINANCE_PAY_DOUBLE: boolish.optional(),
    BINANCE_PAY_DOUBLE_PORT: z.coerce.number().int().min(1).max(65535).default(7002),
    /** npm run dev only: how long the Mixin emulator keeps a sent transaction `signed` before `spent`, and the Binance Pay double a refund PENDING. */
    MIXIN_EMULATOR_SPEND_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
    BINANCE_PAY_DOUBLE_REFUND_SETTLE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    /** npm run dev only: orders of back-dated demo history generated on a fresh PGlite store with demo data (0 = none; docs/demo.md). */
    DEMO_HISTORY_ORDERS: z.coerce.number().int().min(0).max(2_000).default(100),
  };
}

export type Env = Omit<z.infer<typeof envSchema>, "PUBLIC_BASE_URL"> & {
  PUBLIC_BASE_URL: string;
  seedDemoData: boolean;
  mixpayRequireHttps: boolean;
  demoWalletEnabled: boolean;
  authSecret: string;
  /** Set when Sign in with Mixin is configured (client id and secret both present). */
  mixinOAuth: {
    clientId: string;
    clientSecret: string;
    authorizeUrl: string;
    tokenUrl: string;
    profileUrl: string;
  } | null;
  /** Both Binance Pay keys are set: the `binance` wallet uses the Binance Pay adapter. */
  binancePayConfigured: boolean;
};

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "unset", so a copied .env.example with blank values works.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  const problems = configurationProblems(cleaned, result.success ? [] : result.error.issues);
  if (problems.length > 0 || !result.success) {
    throw new EnvError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
  const env = result.data;
  if (!env.BINANCE_PAY_API_KEY !== !env.BINANCE_PAY_SECRET) {
    throw new EnvError("Invalid configuration:\n  BINANCE_PAY_API_KEY / BINANCE_PAY_SECRET: set both or neither");
  }
  try {
    parseAssetCurrencies(env.BINANCE_PAY_ASSET_CURRENCIES);
  } catch (e) {
    throw new EnvError(`Invalid configuration:\n  ${(e as Error).message}`);
  }
  const parsed: Env = {
    ...env,
    PUBLIC_BASE_URL: publicBaseUrlFor(
      env.NODE_ENV,
      env.PUBLIC_BASE_URL,
      env.PORT,
      source.NEXT_PHASE === "phase-production-build",
    ),
    // Demo data (and its published console passwords) only outside production, or in the loopback-only test mode.
    seedDemoData:
      env.SEED_DEMO_DATA ?? (!env.DATABASE_URL && (env.NODE_ENV !== "production" || inUnsafeTestMode(cleaned))),
    mixpayRequireHttps: env.MIXPAY_REQUIRE_HTTPS ?? env.NODE_ENV === "production",
    demoWalletEnabled: env.DEMO_WALLET_ENABLED ?? env.NODE_ENV !== "production",
    authSecret: authSecretFor(env.NODE_ENV, env.AUTH_SECRET, source.NEXT_PHASE === "phase-production-build"),
    mixinOAuth:
      env.MIXIN_OAUTH_CLIENT_ID && env.MIXIN_OAUTH_CLIENT_SECRET
        ? {
            clientId: env.MIXIN_OAUTH_CLIENT_ID,
            clientSecret: env.MIXIN_OAUTH_CLIENT_SECRET,
            authorizeUrl: env.MIXIN_OAUTH_AUTHORIZE_URL,
            tokenUrl: env.MIXIN_OAUTH_TOKEN_URL,
            profileUrl: env.MIXIN_OAUTH_PROFILE_URL,
          }
        : null,
    binancePayConfigured: Boolean(env.BINANCE_PAY_API_KEY && env.BINANCE_PAY_SECRET),
  };
  const intake = mixpayIntakeProblems(env);
  if (intake.length) throw new EnvError(`Invalid configuration:\n${intake.map((l) => `  ${l}`).join("\n")}`);
  return parsed;
}

/**
 * MixPay's bot ids, when pinned, must be UUIDs. (The production allow-list of MixPay's source
 * addresses is one of the production refusals: server/config/production-refusals.ts.)
 */
function mixpayIntakeProblems(env: z.infer<typeof envSchema>): string[] {
  const problems: string[] = [];
  const badBot = env.MIXPAY_BOT_IDS.find((id) => !z.uuid().safeParse(id).success);
  if (badBot) problems.push(`MIXPAY_BOT_IDS: "${badBot}" is not a UUID`);
  return problems;
}

/**
 * Schema issues plus, for a production start, every production refusal — one list, so the
 * operator fixes everything in one round. A refusal replaces the schema's issue for the same key.
 */
function configurationProblems(
  cleaned: Record<string, string | undefined>,
  issues: readonly { path: PropertyKey[]; message: string }[],
): string[] {
  const production = cleaned.NODE_ENV === "production" && cleaned.NEXT_PHASE !== "phase-production-build";
  const refusals = production ? productionRefusals(cleaned) : [];
  const refused = new Set(refusals.map((r) => r.split(":")[0]));
  const schema = issues
    .filter((i) => !refused.has(String(i.path[0])))
    .map((i) => `${i.path.map(String).join(".")}: ${i.message}`);
  return [...schema, ...refusals];
}

function publicBaseUrlFor(nodeEnv: string, url: string | undefined, port: number, building: boolean): string {
  if (url) return url;
  // Links handed to MixPay and end users must not point at localhost in production.
  if (nodeEnv === "production" && !building)
    throw new EnvError(
      "Invalid configuration:\n  PUBLIC_BASE_URL: required in production (the https URL MixPay and end users reach)",
    );
  return `http://localhost:${port}`;
}

function authSecretFor(nodeEnv: string, secret: string | undefined, building: boolean): string {
  if (secret) return secret;
  // `next build` loads route modules but serves nothing: the secret is required at start, not at build.
  if (building) return "build-time-placeholder-never-used-to-sign-anything";
  if (nodeEnv === "production")
    throw new EnvError("Invalid configuration:\n  AUTH_SECRET: required in production (openssl rand -base64 33)");
  // Development and tests only: sessions are signed with a well-known value.
  return "development-only-auth-secret-not-for-production-use";
}

let cached: Env | undefined;

/** The validated environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}

/** Every setting the schema knows (server/config/env-example.test.ts holds .env.example to it). */
export const ENV_KEYS: readonly string[] = Object.keys(envSchema.shape);
