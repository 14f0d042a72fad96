import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { createTestStore, type TestStore } from "@/test/store";
import { envelope, PAYEE, rangeRequest } from "@/test/mixpay";
import { handleAssetsRange } from "@/adapters/mixpay-http/handlers";
import {
  assertValidRanges,
  judgeTransport,
  PEER_ADDR_HEADER,
  PEER_TLS_HEADER,
  type TransportPolicy,
} from "./transport";

const policy = (p: Partial<TransportPolicy>): TransportPolicy => ({
  requireHttps: false,
  trustedProxies: [],
  allowedSources: [],
  ...p,
});
const h = (o: Record<string, string>) => new Headers(o);

describe("judgeTransport", () => {
  it("lets everything through when no rule is configured, even without the peer stamp", () => {
    expect(judgeTransport(h({}), policy({})).ok).toBe(true);
  });

  it("fails closed when rules are active but the request was not stamped by the broker's server", () => {
    expect(judgeTransport(h({}), policy({ requireHttps: true })).ok).toBe(false);
    expect(judgeTransport(h({ "x-forwarded-proto": "https" }), policy({ requireHttps: true })).ok).toBe(false);
    expect(judgeTransport(h({}), policy({ allowedSources: ["10.0.0.0/8"] })).ok).toBe(false);
  });

  it("requires HTTPS: a direct TLS socket passes, plain HTTP is refused", () => {
    const p = policy({ requireHttps: true });
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "203.0.113.5", [PEER_TLS_HEADER]: "1" }), p)).toMatchObject({
      ok: true,
      secure: true,
    });
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "203.0.113.5", [PEER_TLS_HEADER]: "0" }), p)).toMatchObject({
      ok: false,
      reason: "HTTPS is required",
    });
  });

  it("believes X-Forwarded-Proto only from a trusted proxy", () => {
    const p = policy({ requireHttps: true, trustedProxies: ["10.0.0.0/8"] });
    const spoofed = h({ [PEER_ADDR_HEADER]: "203.0.113.5", [PEER_TLS_HEADER]: "0", "x-forwarded-proto": "https" });
    expect(judgeTransport(spoofed, p).ok).toBe(false);
    const proxied = h({
      [PEER_ADDR_HEADER]: "10.1.2.3",
      [PEER_TLS_HEADER]: "0",
      "x-forwarded-proto": "https",
      "x-forwarded-for": "198.51.100.7",
    });
    expect(judgeTransport(proxied, p)).toMatchObject({ ok: true, secure: true, clientAddr: "198.51.100.7" });
    const proxiedPlain = h({ [PEER_ADDR_HEADER]: "10.1.2.3", [PEER_TLS_HEADER]: "0", "x-forwarded-proto": "http" });
    expect(judgeTransport(proxiedPlain, p).ok).toBe(false);
  });

  it("treats IPv4-mapped IPv6 peers as IPv4", () => {
    const p = policy({ trustedProxies: ["127.0.0.1"], requireHttps: true });
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "::ffff:127.0.0.1", "x-forwarded-proto": "https" }), p).ok).toBe(
      true,
    );
  });

  it("restricts callers to the allow-list, reading the client from X-Forwarded-For behind trusted proxies only", () => {
    const p = policy({ allowedSources: ["198.51.100.0/24", "2001:db8::1"], trustedProxies: ["10.0.0.1"] });
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "198.51.100.20" }), p).ok).toBe(true);
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "2001:db8::1" }), p).ok).toBe(true);
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "203.0.113.9" }), p)).toMatchObject({ ok: false });
    // A client cannot claim an allowed address through X-Forwarded-For unless the hop is our proxy.
    expect(judgeTransport(h({ [PEER_ADDR_HEADER]: "203.0.113.9", "x-forwarded-for": "198.51.100.20" }), p).ok).toBe(
      false,
    );
    // Behind our proxy, the right-most untrusted hop is the client; spoofed left-most entries do not count.
    expect(
      judgeTransport(h({ [PEER_ADDR_HEADER]: "10.0.0.1", "x-forwarded-for": "198.51.100.20, 203.0.113.9" }), p).ok,
    ).toBe(false);
    expect(
      judgeTransport(h({ [PEER_ADDR_HEADER]: "10.0.0.1", "x-forwarded-for": "203.0.113.9, 198.51.100.20" }), p).ok,
    ).toBe(true);
  });

  it("rejects malformed address settings at start-up", () => {
    expect(() => assertValidRanges(["10.0.0.0/8", "::1"], "TRUSTED_PROXIES")).not.toThrow();
    expect(() => assertValidRanges(["10.0.0.300"], "TRUSTED_PROXIES")).toThrow(/TRUSTED_PROXIES: "10.0.0.300"/);
    expect(() => assertValidRanges(["example.com"], "MIXPAY_ALLOWED_SOURCES")).toThrow(/MIXPAY_ALLOWED_SOURCES/);
  });
});

describe("the MixPay routes under the transport policy", () => {
  let store: TestStore;
  const saved = { ...process.env };
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(async () => store.cleanup());
  afterEach(() => {
    for (const k of ["MIXPAY_REQUIRE_HTTPS", "MIXPAY_ALLOWED_SOURCES", "TRUSTED_PROXIES"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetEnvCache();
  });

  it("refuses plain HTTP with 403 and the envelope when HTTPS is required, and serves HTTPS", async () => {
    process.env.MIXPAY_REQUIRE_HTTPS = "true";
    resetEnvCache();
    const plain = await envelope(
      await handleAssetsRange(
        rangeRequest(
          { payee_id: PAYEE, wallet: "demo" },
          { [PEER_ADDR_HEADER]: "203.0.113.5", [PEER_TLS_HEADER]: "0" },
        ),
      ),
    );
    expect(plain).toMatchObject({ code: 11001, success: false, status: 403 });
    expect(plain.message).toContain("HTTPS");
    const tls = await envelope(
      await handleAssetsRange(
        rangeRequest(
          { payee_id: PAYEE, wallet: "demo" },
          { [PEER_ADDR_HEADER]: "203.0.113.5", [PEER_TLS_HEADER]: "1" },
        ),
      ),
    );
    expect(tls.code).toBe(0);
  });

  it("refuses a source outside MIXPAY_ALLOWED_SOURCES", async () => {
    process.env.MIXPAY_ALLOWED_SOURCES = "198.51.100.0/24";
    resetEnvCache();
    const refused = await envelope(
      await handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" }, { [PEER_ADDR_HEADER]: "203.0.113.5" })),
    );
    expect(refused).toMatchObject({ code: 11001, status: 403 });
    const allowed = await envelope(
      await handleAssetsRange(
        rangeRequest({ payee_id: PAYEE, wallet: "demo" }, { [PEER_ADDR_HEADER]: "198.51.100.4" }),
      ),
    );
    expect(allowed.code).toBe(0);
  });
});
