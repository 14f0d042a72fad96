import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { REDACT_PATHS } from "@/server/logger";
import { binanceAmount, merchantTradeNoFor, noticeStatusOf } from "./binance-wallet";
import { BinanceCertificates } from "./certificates";
import { serialize } from "./client";
import { parseAssetCurrencies } from "./config";

describe("merchantTradeNo", () => {
  const id = "ee854e4a-b56a-4f37-81c4-7bb458a97b3a";
  it("is letters and digits, at most 32, derived from the order and the attempt, never repeating", () => {
    const nos = [0, 1, 2, 9].map((a) => merchantTradeNoFor(id, a));
    expect(nos[0]).toBe("ee854e4ab56a4f3781c47bb458a97b3a");
    expect(nos[1]).toBe("ee854e4ab56a4f3781c47bb458a97br1");
    for (const n of nos) expect(n).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(new Set(nos).size).toBe(nos.length);
    expect(() => merchantTradeNoFor(id, 10)).toThrow();
    expect(() => merchantTradeNoFor("not-an-order", 0)).toThrow();
  });
});

describe("amounts", () => {
  it("sends at most 8 decimals, rounded up, as a JSON number with exactly those digits", () => {
    expect(binanceAmount("1.01")).toBe("1.01000000");
    expect(binanceAmount("0.123456789")).toBe("0.12345679");
    const body = serialize({ orderAmount: "12345678901234.12345678", currency: "USDT" }, ["orderAmount"]);
    expect(body).toBe('{"orderAmount":12345678901234.12345678,"currency":"USDT"}');
    expect(() => serialize({ orderAmount: "1e5" }, ["orderAmount"])).toThrow();
  });
  it("reads Binance statuses as the broker's notice statuses", () => {
    expect(noticeStatusOf("PAID")).toBe("paid");
    expect(noticeStatusOf("FULL_REFUNDED")).toBe("paid");
    expect(noticeStatusOf("PENDING")).toBe("pending");
    expect(noticeStatusOf("INITIAL")).toBe("pending");
    expect(noticeStatusOf("CANCELED")).toBe("closed");
    expect(noticeStatusOf("EXPIRED")).toBe("closed");
  });
});

describe("configuration", () => {
  it("maps Mixin asset ids to Binance symbols and refuses malformed entries", () => {
    const m = parseAssetCurrencies(
      "4D8C508B-91c5-375b-92b0-ee702ed2dac5:usdt, c6d0c728-2624-429b-8e0d-d9d19b6592fa:BTC",
    );
    expect([...m]).toEqual([
      ["4d8c508b-91c5-375b-92b0-ee702ed2dac5", "USDT"],
      ["c6d0c728-2624-429b-8e0d-d9d19b6592fa", "BTC"],
    ]);
    expect(() => parseAssetCurrencies("USDT")).toThrow(/asset_id:SYMBOL/);
  });
  it("needs both Binance keys or neither, and validates the map at start-up", () => {
    expect(parseEnv({}).binancePayConfigured).toBe(false);
    expect(parseEnv({ BINANCE_PAY_API_KEY: "k", BINANCE_PAY_SECRET: "s" }).binancePayConfigured).toBe(true);
    expect(() => parseEnv({ BINANCE_PAY_API_KEY: "k" })).toThrow(/set both or neither/);
    expect(() => parseEnv({ BINANCE_PAY_ASSET_CURRENCIES: "nope" })).toThrow(/asset_id:SYMBOL/);
  });
  it("never logs the Binance Pay secret", () => {
    let out = "";
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, sink);
    const secret = "s3cr3t-binance-value";
    log.info(
      { config: { apiKey: "key", secret }, env: { BINANCE_PAY_SECRET: secret }, wallet: { config: { secret } } },
      "configured",
    );
    log.info({ BINANCE_PAY_SECRET: secret }, "flat");
    expect(out).toContain("[redacted]");
    expect(out).not.toContain(secret);
  });
});

describe("platform certificates", () => {
  const pem = () =>
    generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
  it("are fetched once and cached, fetched again for an unknown serial (rotation), at most every minRefetchMs", async () => {
    let now = 1_000_000;
    let served = [{ certSerial: "a", certPublic: pem() }];
    let fetches = 0;
    const certs = new BinanceCertificates(
      async () => {
        fetches++;
        return served;
      },
      { ttlMs: 3_600_000, minRefetchMs: 10_000, now: () => now },
    );
    expect(await certs.publicKey("a")).toBeDefined();
    expect(await certs.publicKey("a")).toBeDefined();
    expect(fetches).toBe(1);
    // Binance rotates its key: the new serial is unknown, so the list is fetched again.
    served = [{ certSerial: "b", certPublic: pem() }];
    now += 10_000;
    expect(await certs.publicKey("b")).toBeDefined();
    expect(fetches).toBe(2);
    expect(await certs.publicKey("a")).toBeUndefined();
    // A flood of unknown serials does not refetch within minRefetchMs.
    expect(await certs.publicKey("forged")).toBeUndefined();
    expect(await certs.publicKey("forged2")).toBeUndefined();
    expect(fetches).toBe(2);
    // The cache expires after its time to live.
    now += 3_600_001;
    await certs.publicKey("b");
    expect(fetches).toBe(3);
  });
});
