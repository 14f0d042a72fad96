import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { AppErrorCode, type AppError } from "@/server/errors";
import { generateKeystore, keystoreFromEnv, parseKeystore, redactKeystore } from "./keystore";
import { parseMixPayRefundMemo } from "./memo";
import { SafeMixinPort } from "./mixin-port";

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const BTC = "c6d0c728-2624-429b-8e0d-d9d19b6592fa";

let emu: MixinEmulator;
let port: SafeMixinPort;
beforeAll(async () => {
  // Many small outputs so balances and transfers page through several /safe/outputs pages.
  emu = await startMixinEmulator({ outputsPerAsset: 1200 });
  port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, timeoutMs: 2000, retries: -1 });
});
afterAll(async () => emu.close());
afterEach(() => emu.clearFaults());

const transfer = (overrides: Partial<{ requestId: string; amount: string; memo: string; assetId: string }> = {}) => ({
  requestId: crypto.randomUUID(),
  assetId: USDT,
  amount: "1.5",
  opponentId: EMULATED_MIXPAY_BOT,
  memo: "payment memo from MixPay",
  ...overrides,
});

describe("SafeMixinPort against the Mixin emulator (real SDK)", () => {
  it("checks registration and sums every unspent output across pages", async () => {
    await port.checkRegistration();
    const balances = await port.readBalances([USDT, BTC, "00000000-0000-0000-0000-000000000000"]);
    expect(balances.get(USDT)).toBe("5000");
    expect(balances.get(BTC)).toBe("0.05");
    expect(balances.get("00000000-0000-0000-0000-000000000000")).toBe("0");
    expect(emu.requests().filter((r) => r === "GET /safe/outputs").length).toBeGreaterThanOrEqual(7);
  });

  it("reads USD prices", async () => {
    const prices = await port.readAssetPrices([USDT, BTC]);
    expect(Object.fromEntries(prices)).toEqual({ [USDT]: "1", [BTC]: "95000" });
  });

  it("transfers to the MixPay bot with the trace id and memo, and a repeat pays nothing more", async () => {
    const t = transfer({ amount: "2.12345678" });
    const before = emu.balance(USDT);
    const first = await port.transfer(t);
    expect(first).toMatchObject({ state: "spent", alreadyExisted: false });
    expect(first.transactionHash).toMatch(/^[0-9a-f]{64}$/);
    const again = await port.transfer(t);
    expect(again).toMatchObject({ state: "spent", alreadyExisted: true, transactionHash: first.transactionHash });
    const mine = emu.settlements().filter((s) => s.traceId === t.requestId);
    expect(mine).toEqual([expect.objectContaining({ amount: "2.12345678", memo: t.memo, assetId: USDT })]);
    expect(emu.balance(USDT)).toBe(new Decimal(before).minus("2.12345678").toFixed());
    expect((await port.lookupTransfer(t.requestId))?.state).toBe("spent");
    expect(await port.lookupTransfer(crypto.randomUUID())).toBeUndefined();
  });

  it("serialises concurrent transfers of one asset so both succeed", async () => {
    const [a, b, c] = await Promise.all([
      port.transfer(transfer()),
      port.transfer(transfer()),
      port.transfer(transfer({ assetId: BTC, amount: "0.001" })),
    ]);
    expect([a.state, b.state, c.state]).toEqual(["spent", "spent", "spent"]);
  });

  it("maps a 500 to RETRYABLE and succeeds once Mixin recovers", async () => {
    const t = transfer();
    emu.setFault({ pattern: "POST /safe/transactions$", mode: "500" });
    await expect(port.transfer(t)).rejects.toMatchObject({ code: AppErrorCode.RETRYABLE });
    emu.clearFaults();
    expect((await port.transfer(t)).state).toBe("spent");
    expect(emu.settlements().filter((s) => s.traceId === t.requestId)).toHaveLength(1);
  });

  it("after a committed transfer whose answer was lost, the retry finds it: exactly one payment", async () => {
    const t = transfer();
    emu.setFault({ pattern: "POST /safe/transactions$", mode: "drop-after-commit", count: 1 });
    await expect(port.transfer(t)).rejects.toMatchObject({ code: AppErrorCode.RETRYABLE });
    const retry = await port.transfer(t);
    expect(retry).toMatchObject({ state: "spent", alreadyExisted: true });
    expect(emu.settlements().filter((s) => s.traceId === t.requestId)).toHaveLength(1);
  });

  it("reports insufficient balance distinctly (locally and from Mixin)", async () => {
    const local = await port.transfer(transfer({ amount: "999999" })).catch((e: AppError) => e);
    expect(local).toMatchObject({
      code: AppErrorCode.PAYMENT_UNAVAILABLE,
      details: { reason: "insufficient_balance" },
    });
    emu.setFault({ pattern: "POST /safe/transactions$", mode: "insufficient", count: 1 });
    const remote = await port.transfer(transfer()).catch((e: AppError) => e);
    expect(remote).toMatchObject({
      code: AppErrorCode.PAYMENT_UNAVAILABLE,
      details: { reason: "insufficient_balance" },
    });
  });

  it("pages snapshots forward and decodes MixPay's refund memo", async () => {
    const t = transfer({ amount: "3" });
    await port.transfer(t);
    emu.refund(t.requestId, "40025");
    let offset: string | undefined;
    const all = [];
    for (;;) {
      const page = await port.readSnapshots(offset, 2);
      all.push(...page.snapshots);
      if (page.snapshots.length < 2) break;
      offset = page.nextOffset;
    }
    expect(new Set(all.map((s) => s.snapshotId)).size).toBe(all.length);
    const out = all.find((s) => s.requestId === t.requestId)!;
    expect(out).toMatchObject({ amount: "-3", opponentId: EMULATED_MIXPAY_BOT, memoText: t.memo, refund: null });
    const back = all.find((s) => s.refund?.traceId === t.requestId)!;
    expect(back).toMatchObject({
      amount: "3",
      opponentId: EMULATED_MIXPAY_BOT,
      refund: { traceId: t.requestId, code: "40025" },
    });
  });
});

describe("keystore", () => {
  it("accepts a generated keystore and rejects malformed keys, naming the field but not the value", () => {
    const k = generateKeystore();
    expect(parseKeystore(k)).toEqual(k);
    expect(() => parseKeystore({ ...k, session_private_key: "abc" })).toThrow(/session_private_key/);
    expect(() => parseKeystore({ ...k, app_id: "bot" })).toThrow(/app_id must be a UUID/);
    try {
      parseKeystore({ ...k, spend_private_key: "zz" + k.spend_private_key.slice(2) });
    } catch (e) {
      expect((e as Error).message).not.toContain(k.spend_private_key.slice(2, 20));
    }
    expect(JSON.stringify(redactKeystore(k))).not.toContain(k.spend_private_key);
    expect(JSON.stringify(redactKeystore(k))).not.toContain(k.session_private_key);
  });

  it("reads MIXIN_KEYSTORE and reports bad JSON clearly", () => {
    const k = generateKeystore();
    expect(keystoreFromEnv({ MIXIN_KEYSTORE: JSON.stringify(k) })).toEqual(k);
    expect(keystoreFromEnv({})).toBeUndefined();
    expect(() => keystoreFromEnv({ MIXIN_KEYSTORE: "{oops" })).toThrow(/MIXIN_KEYSTORE is not JSON/);
    expect(() => keystoreFromEnv({ MIXIN_KEYSTORE_FILE: "/nonexistent/keystore.json" })).toThrow(/cannot be read/);
  });

  it("parses MixPay refund memos in both spellings", () => {
    const trace = "12c55575-c85a-4b58-a245-19e6b678eee9";
    expect(parseMixPayRefundMemo("UkZ8MTJjNTU1NzUtYzg1YS00YjU4LWEyNDUtMTllNmI2NzhlZWU5fDQwMDI1")).toEqual({
      traceId: trace,
      code: "40025",
    });
    expect(parseMixPayRefundMemo(`RF|${trace}|40000`)).toEqual({ traceId: trace, code: "40000" });
    expect(parseMixPayRefundMemo("hello")).toBeNull();
  });
});
