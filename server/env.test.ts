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
    expect(() => parseEnv({ ...SAFE_PRODUCTION, AUTH_SECRET: "", NEXT_PHASE: "phase-production-server" })).toThrow(/AUTH_SECRET/);
  });

  it("uses the configured secret, and a development value outside production", () => {
    expect(parseEnv(SAFE_PRODUCTION).authSecret).toBe(SAFE_PRODUCTION.AUTH_SECRET);
    expect(parseEnv({ NODE_ENV: "development" }).authSecret).toMatch(/development-only/);
    expect(() => parseEnv({ ...SAFE_PRODUCTION, AUTH_SECRET: "short" })).toThrow(/at least 32 characters/);
  });

  it("treats empty values as unset, so a copied .env.example works", () => {
    expect(parseEnv({ NODE_ENV: "development", DATABASE_URL: "", AUTH_SECRET: "" }).seedDemoData).toBe(true);
  });
});

describe("PUBLIC_BASE_URL", () => {
  it("follows PORT when unset, so links point at the port the broker listens on", () => {
    expect(parseEnv({ PORT: "3900" }).PUBLIC_BASE_URL).toBe("http://localhost:3900");
    expect(parseEnv({}).PUBLIC_BASE_URL).toBe("http://localhost:3000");
    expect(parseEnv({ PORT: "3900", PUBLIC_BASE_URL: "https://broker.example.com" }).PUBLIC_BASE_URL).toBe("https://broker.example.com");
    expect(() => parseEnv({ ...SAFE_PRODUCTION, PUBLIC_BASE_URL: "" })).toThrow(/PUBLIC_BASE_URL: required in production/);
  });
});
