/**
 * What a production start refuses. Production fails closed: each entry is one problem, and the
 * start lists them all in one message (server/env.ts) instead of stopping at the first.
 *
 * Works on the raw settings (empty = unset) so the list is complete even when other settings are
 * malformed. Development and tests keep their friendly defaults; this runs only when
 * NODE_ENV=production and Next is not merely building.
 */
type Source = Record<string, string | undefined>;

/** AUTH_SECRET values published in this repository (defaults, tests, docs); never for signing real sessions. */
export const KNOWN_AUTH_SECRETS: readonly string[] = [
  "development-only-auth-secret-not-for-production-use",
  "build-time-placeholder-never-used-to-sign-anything",
  "e2e-only-auth-secret-0123456789abcdef0123456789",
  "bench-only-auth-secret-0123456789abcdef0123",
  "test-only-auth-secret-0123456789abcdef0123456789",
  "change-me-change-me-change-me-change-me",
];

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());
const falsy = (v: string | undefined) => v !== undefined && /^(false|0|no)$/i.test(v.trim());
const set = (v: string | undefined) => v !== undefined && v.trim() !== "";

/** 127.0.0.0/8, ::1 and localhost: an address nothing outside this machine can reach. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function urlHost(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * BROKER_UNSAFE_TEST_MODE=true lets the browser tests and benchmarks run the production build over
 * plain HTTP with the demo wallet, demo data and an embedded store. It is accepted only where no
 * real money can move and nobody else can connect: the server listens on loopback, its public URL
 * is loopback, and Mixin is a local double (loopback MIXIN_API_BASE_URL). Returns the reasons it is
 * refused (empty = accepted).
 */
export function unsafeTestModeRefusals(source: Source): string[] {
  if (!truthy(source.BROKER_UNSAFE_TEST_MODE)) return [];
  const out: string[] = [];
  if (!isLoopbackHost(source.HOST))
    out.push("BROKER_UNSAFE_TEST_MODE: needs HOST on loopback (127.0.0.1, ::1, localhost)");
  if (!isLoopbackHost(urlHost(source.PUBLIC_BASE_URL)))
    out.push("BROKER_UNSAFE_TEST_MODE: needs a loopback PUBLIC_BASE_URL");
  if (!isLoopbackHost(urlHost(source.MIXIN_API_BASE_URL)))
    out.push("BROKER_UNSAFE_TEST_MODE: needs a loopback MIXIN_API_BASE_URL (a Mixin double; never the real Mixin)");
  return out;
}

/** True when the unsafe test mode is asked for and its conditions hold. */
export function inUnsafeTestMode(source: Source): boolean {
  return truthy(source.BROKER_UNSAFE_TEST_MODE) && unsafeTestModeRefusals(source).length === 0;
}

/** Every reason the settings are unsafe for production; empty = start. */
export function productionRefusals(source: Source): string[] {
  const testMode = truthy(source.BROKER_UNSAFE_TEST_MODE);
  const testModeProblems = unsafeTestModeRefusals(source);
  if (testMode && testModeProblems.length === 0) return authSecretRefusals(source.AUTH_SECRET, true);
  const out: string[] = [...testModeProblems];

  if (!set(source.DATABASE_URL) && !truthy(source.ALLOW_EMBEDDED_DB_IN_PRODUCTION)) {
    out.push(
      "DATABASE_URL: required in production (the embedded PGlite store is single-node and unreplicated; set ALLOW_EMBEDDED_DB_IN_PRODUCTION=true to accept that)",
    );
  }
  if (truthy(source.SEED_DEMO_DATA)) {
    out.push(
      "SEED_DEMO_DATA: demo wallets, balances and users (with passwords published in the README) are never seeded in production; unset it",
    );
  }
  if (!set(source.INNGEST_DEV)) {
    for (const key of ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
      if (!set(source[key]))
        out.push(
          `${key}: required in production (without it nothing settles or refunds); set INNGEST_DEV explicitly only to use an unauthenticated Inngest dev server`,
        );
    }
  }
  const keystore = set(source.MIXIN_KEYSTORE) || set(source.MIXIN_KEYSTORE_FILE);
  if (!keystore)
    out.push(
      "MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE: required in production (the broker cannot settle without its Mixin bot)",
    );
  if (truthy(source.DEMO_WALLET_ENABLED)) {
    out.push(
      "DEMO_WALLET_ENABLED: must be off in production (its Pay button needs no money, yet the broker would pay MixPay real money from the bot)",
    );
  }
  const base = source.PUBLIC_BASE_URL?.trim();
  if (!base) out.push("PUBLIC_BASE_URL: required in production (the https URL MixPay and end users reach)");
  else if (!/^https:\/\//i.test(base))
    out.push(
      "PUBLIC_BASE_URL: must be an https:// URL in production (checkout links and sign-in cookies travel over it)",
    );
  if (falsy(source.MIXPAY_REQUIRE_HTTPS)) {
    out.push(
      "MIXPAY_REQUIRE_HTTPS: cannot be turned off in production (MixPay's calls must arrive over TLS; put the TLS proxy in TRUSTED_PROXIES instead)",
    );
  }
  // MixPay does not sign its calls: whoever reaches /mixpay/create_order chooses opponent_id and
  // reserves the bot's balance. Limit the routes to MixPay's egress addresses, or opt out loudly
  // (MIXPAY_ALLOW_ANY_SOURCE=true, warned at every start by scripts/serve.ts).
  if (!set(source.MIXPAY_ALLOWED_SOURCES) && !truthy(source.MIXPAY_ALLOW_ANY_SOURCE)) {
    out.push(
      "MIXPAY_ALLOWED_SOURCES: required in production (MixPay's egress IPs/CIDRs); MixPay does not sign its calls, so anyone else could create orders. To serve any source anyway set MIXPAY_ALLOW_ANY_SOURCE=true",
    );
  }
  out.push(...authSecretRefusals(source.AUTH_SECRET, false));
  return out;
}

function authSecretRefusals(secret: string | undefined, testMode: boolean): string[] {
  const s = secret?.trim() ?? "";
  if (!s) return ["AUTH_SECRET: required in production (openssl rand -base64 33)"];
  if (s.length < 32) return ["AUTH_SECRET: must be at least 32 characters (openssl rand -base64 33)"];
  // The published test secrets are fine where the test mode holds; nowhere else.
  if (!testMode && KNOWN_AUTH_SECRETS.includes(s))
    return ["AUTH_SECRET: is a value published in this repository; generate your own (openssl rand -base64 33)"];
  if (new Set(s).size < 10)
    return ["AUTH_SECRET: too little variety to be a random secret; generate one (openssl rand -base64 33)"];
  return [];
}
