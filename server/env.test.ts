import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";
import { SAFE_PRODUCTION } from "./config/production-fixture";

describe("parseEnv", () => {
  it("refuses to start in production without AUTH_SECRET, naming the setting", () => {
    const base = { ...SAFE_PRODUCTION, AUTH_SECRET: "" };
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(EnvError);
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(/AUTH_SECRET: required in production/);
  });

  it("lets `next build` load the app without production secrets (nothing is served while building)", () => {
    const e = parseEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" });
    expect(e.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(() => parseEnv({ ...SAFE_PRODUCTION, AUTH_SECRET: "", NEXT_PHASE: "phase-production-server" })).toThrow(
      /AUTH_SECRET/,
    );
  });

  it("uses the configured secret, and a development value outside production", () => {
    expect(parseEnv(SAFE_PRODUCTION).authSecret).toBe(SAFE_PRODUCTION.AUTH_SECRET);
    expect(parseEnv({ NODE_ENV: "development" }).authSecret).toMatch(/development-only/);
    expect(() => parseEnv({ ...SAFE_PRODUCTION, AUTH_SECRET: "short" })).toThrow(/at least 32 characters/);
  });

  it("refuses a PostgreSQL pool of one connection (a settlement transfer needs a lock connection and a writer)", () => {
    expect(() => parseEnv({ DATABASE_POOL_SIZE: "1" })).toThrow(/DATABASE_POOL_SIZE: at least 2/);
    expect(parseEnv({ DATABASE_POOL_SIZE: "2" }).DATABASE_POOL_SIZE).toBe(2);
  });

  it("treats empty values as unset, so a copied .env.example works", () => {
    expect(parseEnv({ NODE_ENV: "development", DATABASE_URL: "", AUTH_SECRET: "" }).seedDemoData).toBe(true);
  });
});

describe("PUBLIC_BASE_URL", () => {
  it("follows PORT when unset, so links point at the port the broker listens on", () => {
    expect(parseEnv({ PORT: "3900" }).PUBLIC_BASE_URL).toBe("http://localhost:3900");
    expect(parseEnv({}).PUBLIC_BASE_URL).toBe("http://localhost:3000");
    expect(parseEnv({ PORT: "3900", PUBLIC_BASE_URL: "https://broker.example.com" }).PUBLIC_BASE_URL).toBe(
      "https://broker.example.com",
    );
    expect(() => parseEnv({ ...SAFE_PRODUCTION, PUBLIC_BASE_URL: "" })).toThrow(
      /PUBLIC_BASE_URL: required in production/,
    );
  });
});

describe("who may create orders (MixPay does not sign its calls)", () => {
  const prod = { ...SAFE_PRODUCTION, MIXPAY_ALLOWED_SOURCES: "" };

  it("refuses to start in production without MIXPAY_ALLOWED_SOURCES, naming the setting and the override", () => {
    expect(() => parseEnv(prod)).toThrow(EnvError);
    expect(() => parseEnv(prod)).toThrow(
      /MIXPAY_ALLOWED_SOURCES: required in production.*MIXPAY_ALLOW_ANY_SOURCE=true/,
    );
    expect(() => parseEnv({ ...prod, MIXPAY_ALLOW_ANY_SOURCE: "false" })).toThrow(/MIXPAY_ALLOWED_SOURCES/);
  });

  it("starts with an allow-list, or with the explicit override", () => {
    expect(
      parseEnv({ ...prod, MIXPAY_ALLOWED_SOURCES: "203.0.113.7, 198.51.100.0/24" }).MIXPAY_ALLOWED_SOURCES,
    ).toEqual(["203.0.113.7", "198.51.100.0/24"]);
    expect(parseEnv({ ...prod, MIXPAY_ALLOW_ANY_SOURCE: "true" }).MIXPAY_ALLOW_ANY_SOURCE).toBe(true);
  });

  it("keeps development open, and `next build` needs no allow-list", () => {
    expect(parseEnv({ NODE_ENV: "development" }).MIXPAY_ALLOWED_SOURCES).toEqual([]);
    expect(() => parseEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" })).not.toThrow();
  });

  it("validates MIXPAY_BOT_IDS and the intake limits", () => {
    expect(() => parseEnv({ MIXPAY_BOT_IDS: "not-a-bot" })).toThrow(/MIXPAY_BOT_IDS: "not-a-bot" is not a UUID/);
    const e = parseEnv({});
    expect(e).toMatchObject({ MIXPAY_BOT_IDS: [], MIXPAY_MAX_EXPIRY_SECONDS: 7200, MIXPAY_RATE_WINDOW_SECONDS: 60 });
    expect(() => parseEnv({ MIXPAY_MAX_EXPIRY_SECONDS: "30" })).toThrow(/MIXPAY_MAX_EXPIRY_SECONDS/);
  });
});
