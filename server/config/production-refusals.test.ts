import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/server/env";
import { isLoopbackHost, productionRefusals } from "./production-refusals";
import { SAFE_PRODUCTION } from "./production-fixture";

/** The one message a production start prints, or "" when it starts. */
function refusal(overrides: Record<string, string | undefined>): string {
  try {
    parseEnv({ ...SAFE_PRODUCTION, ...overrides });
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as Error).message;
  }
}

describe("a production start refuses unsafe settings", () => {
  it("starts with the safe baseline (so each case below fails for its own reason)", () => {
    expect(productionRefusals(SAFE_PRODUCTION)).toEqual([]);
    expect(parseEnv(SAFE_PRODUCTION).seedDemoData).toBe(false);
    expect(parseEnv(SAFE_PRODUCTION).demoWalletEnabled).toBe(false);
  });

  it("refuses the embedded PGlite store unless ALLOW_EMBEDDED_DB_IN_PRODUCTION=true, and then seeds nothing", () => {
    expect(refusal({ DATABASE_URL: undefined })).toMatch(
      /DATABASE_URL: required in production .*ALLOW_EMBEDDED_DB_IN_PRODUCTION=true/,
    );
    const e = parseEnv({ ...SAFE_PRODUCTION, DATABASE_URL: undefined, ALLOW_EMBEDDED_DB_IN_PRODUCTION: "true" });
    expect(e.DATABASE_URL).toBeUndefined();
    // The old default seeded demo data (and the README's demo passwords) on PGlite in production.
    expect(e.seedDemoData).toBe(false);
  });

  it("refuses to seed demo data in production", () => {
    expect(refusal({ SEED_DEMO_DATA: "true" })).toMatch(/SEED_DEMO_DATA: .*never seeded in production/);
    expect(refusal({ SEED_DEMO_DATA: "false" })).toBe("");
  });

  it("refuses a start without the Inngest keys unless INNGEST_DEV is set explicitly", () => {
    const m = refusal({ INNGEST_EVENT_KEY: undefined, INNGEST_SIGNING_KEY: "" });
    expect(m).toMatch(/INNGEST_EVENT_KEY: required in production/);
    expect(m).toMatch(/INNGEST_SIGNING_KEY: required in production/);
    expect(refusal({ INNGEST_EVENT_KEY: undefined, INNGEST_SIGNING_KEY: undefined, INNGEST_DEV: "1" })).toBe("");
  });

  it("refuses the demo wallet beside a real keystore, and a start with no keystore", () => {
    expect(refusal({ DEMO_WALLET_ENABLED: "true" })).toMatch(/DEMO_WALLET_ENABLED: must be off in production/);
    expect(refusal({ MIXIN_KEYSTORE: undefined })).toMatch(
      /MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE: required in production/,
    );
  });

  it("refuses a plain-http PUBLIC_BASE_URL and MIXPAY_REQUIRE_HTTPS=false", () => {
    expect(refusal({ PUBLIC_BASE_URL: "http://broker.example.com" })).toMatch(
      /PUBLIC_BASE_URL: must be an https:\/\/ URL/,
    );
    expect(refusal({ MIXPAY_REQUIRE_HTTPS: "false" })).toMatch(
      /MIXPAY_REQUIRE_HTTPS: cannot be turned off in production/,
    );
    expect(refusal({ MIXPAY_REQUIRE_HTTPS: "true" })).toBe("");
  });

  it("refuses a missing, short, published or low-variety AUTH_SECRET", () => {
    expect(refusal({ AUTH_SECRET: undefined })).toMatch(/AUTH_SECRET: required in production/);
    expect(refusal({ AUTH_SECRET: "too-short-secret" })).toMatch(/AUTH_SECRET: must be at least 32 characters/);
    expect(refusal({ AUTH_SECRET: "development-only-auth-secret-not-for-production-use" })).toMatch(
      /AUTH_SECRET: is a value published in this repository/,
    );
    expect(refusal({ AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789" })).toMatch(/published/);
    expect(refusal({ AUTH_SECRET: "x".repeat(40) })).toMatch(/AUTH_SECRET: too little variety/);
  });

  it("lists every problem in one message, one line each, alongside malformed settings", () => {
    const m = refusal({
      DATABASE_URL: undefined,
      PUBLIC_BASE_URL: "http://b.example",
      MIXPAY_REQUIRE_HTTPS: "false",
      DEMO_WALLET_ENABLED: "true",
      AUTH_SECRET: "short",
      INNGEST_EVENT_KEY: undefined,
      PORT: "not-a-port",
    });
    const lines = m.split("\n");
    expect(lines[0]).toBe("Invalid configuration:");
    for (const key of [
      "PORT",
      "DATABASE_URL",
      "PUBLIC_BASE_URL",
      "MIXPAY_REQUIRE_HTTPS",
      "DEMO_WALLET_ENABLED",
      "AUTH_SECRET",
      "INNGEST_EVENT_KEY",
    ]) {
      expect(
        lines.filter((l) => l.startsWith(`  ${key}:`)),
        key,
      ).toHaveLength(1);
    }
  });

  it("leaves development and `next build` alone", () => {
    expect(parseEnv({ NODE_ENV: "development" }).seedDemoData).toBe(true);
    expect(parseEnv({ NODE_ENV: "development" }).demoWalletEnabled).toBe(true);
    expect(() => parseEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" })).not.toThrow();
  });
});

describe("BROKER_UNSAFE_TEST_MODE (browser tests and benchmarks on the production build)", () => {
  const testMode = {
    NODE_ENV: "production",
    BROKER_UNSAFE_TEST_MODE: "true",
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: "http://127.0.0.1:3100",
    MIXIN_API_BASE_URL: "http://127.0.0.1:3201",
    MIXPAY_REQUIRE_HTTPS: "false",
    DEMO_WALLET_ENABLED: "true",
    AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789",
    INNGEST_DEV: "1",
  };

  it("allows http, the demo wallet, PGlite and demo data when everything is on loopback", () => {
    const e = parseEnv(testMode);
    expect(e.demoWalletEnabled).toBe(true);
    expect(e.mixpayRequireHttps).toBe(false);
    expect(e.seedDemoData).toBe(true);
  });

  it("is refused when the server listens beyond loopback, its public URL is not loopback, or Mixin is the real one", () => {
    expect(refusal({ ...testMode, HOST: "0.0.0.0" })).toMatch(/BROKER_UNSAFE_TEST_MODE: needs HOST on loopback/);
    const m = refusal({
      ...testMode,
      PUBLIC_BASE_URL: "https://broker.example.com",
      MIXIN_API_BASE_URL: "https://api.mixin.one",
    });
    expect(m).toMatch(/BROKER_UNSAFE_TEST_MODE: needs a loopback PUBLIC_BASE_URL/);
    expect(m).toMatch(/BROKER_UNSAFE_TEST_MODE: needs a loopback MIXIN_API_BASE_URL/);
    // …and then every ordinary refusal applies as well.
    expect(m).toMatch(/DEMO_WALLET_ENABLED: must be off/);
    expect(refusal({ ...testMode, MIXIN_API_BASE_URL: undefined })).toMatch(/loopback MIXIN_API_BASE_URL/);
  });

  it("still refuses a short AUTH_SECRET", () => {
    expect(refusal({ ...testMode, AUTH_SECRET: "short" })).toMatch(/AUTH_SECRET: must be at least 32/);
  });

  it("recognises loopback hosts only", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.1", "::", "localhost.example.com", "128.0.0.1", undefined])
      expect(isLoopbackHost(h), String(h)).toBe(false);
  });
});
