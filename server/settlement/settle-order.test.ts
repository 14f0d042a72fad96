import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, mixinTransfers } from "@/db/schema";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { AppErrorCode } from "@/server/errors";
import { SafeMixinPort } from "@/server/mixin/mixin-port";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import type { SettlementMixin } from "./ports";
import { beginSettlement, sendSettlementTransfer } from "./settle-order";

/**
 * The send step of settlement against the Mixin emulator through the real port: the signed raw is
 * stored before it is posted, a retry posts exactly those bytes, and a raw_transaction from Mixin
 * that differs from them stops with a critical alert and never pays twice.
 */
let store: TestStore;
let emu: MixinEmulator;
let port: SafeMixinPort;
beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
});
afterAll(async () => {
  await emu.close();
  await store.cleanup();
});

async function settlingOrder(amount = "1.25") {
  const o = await insertOrder(store.db, {
    status: "paid",
    amount,
    opponentId: EMULATED_MIXPAY_BOT,
    memo: "bWl4cGF5LW1lbW8=",
  });
  await beginSettlement(store.db, o.id, "test");
  return o;
}
const transferRow = async (orderId: string) =>
  (await store.db.select().from(mixinTransfers).where(eq(mixinTransfers.orderId, orderId)))[0]!;
const paidTo = (traceId: string) => emu.settlements().filter((s) => s.traceId === traceId);

/** The real port, but the process "dies" right after the signed raw is stored, before posting. */
const crashAfterSigning: SettlementMixin = {
  transfer: (t, hooks) =>
    port.transfer(t, {
      ...hooks,
      saveSignedRaw: async (raw) => {
        await hooks!.saveSignedRaw!(raw);
        throw new Error("process died between signing and sending");
      },
    }),
  lookupTransfer: (id) => port.lookupTransfer(id),
};

describe("sendSettlementTransfer", () => {
  it("stores the signed raw before posting, and the retry after a crash posts exactly those bytes", async () => {
    const o = await settlingOrder();
    await expect(sendSettlementTransfer(store.db, o.id, crashAfterSigning, "test")).rejects.toMatchObject({
      code: AppErrorCode.RETRYABLE,
    });
    const stored = (await transferRow(o.id)).signedRaw;
    expect(stored).toMatch(/^77770005[0-9a-f]+$/);
    expect(emu.postedRaws().filter((p) => p.request_id === o.traceId)).toEqual([]);
    expect(paidTo(o.traceId)).toEqual([]);

    // Meanwhile the bot's outputs change, so a rebuild would pick other inputs (other bytes).
    emu.topUp(o.assetId, "0.5");
    const verifiesBefore = emu.requests().filter((r) => r === "POST /safe/transaction/requests").length;

    const r = await sendSettlementTransfer(store.db, o.id, port, "test");
    expect(r).toMatchObject({ state: "spent" });
    expect(emu.postedRaws().filter((p) => p.request_id === o.traceId)).toEqual([
      { request_id: o.traceId, raw: stored },
    ]);
    // Nothing was rebuilt or verified again: the stored bytes were sent as they were.
    expect(emu.requests().filter((x) => x === "POST /safe/transaction/requests").length).toBe(verifiesBefore);
    expect(paidTo(o.traceId)).toEqual([expect.objectContaining({ amount: "1.25", memo: "bWl4cGF5LW1lbW8=" })]);
    expect(await transferRow(o.id)).toMatchObject({
      status: "sent",
      signedRaw: stored,
      transactionHash: r.transactionHash,
    });
  });

  it("a lost answer is retried with the same bytes and pays once", async () => {
    const o = await settlingOrder("0.4");
    emu.setFault({ pattern: "^POST /safe/transactions$", mode: "drop-after-commit", count: 1 });
    await expect(sendSettlementTransfer(store.db, o.id, port, "test")).rejects.toMatchObject({
      code: AppErrorCode.RETRYABLE,
    });
    const stored = (await transferRow(o.id)).signedRaw!;
    await sendSettlementTransfer(store.db, o.id, port, "test");
    expect(
      emu
        .postedRaws()
        .filter((p) => p.request_id === o.traceId)
        .map((p) => p.raw),
    ).toEqual([stored, stored]);
    expect(paidTo(o.traceId)).toHaveLength(1);
  });

  it("a raw_transaction from Mixin that differs from the stored one stops (not retryable) with a critical alert, and never pays twice", async () => {
    const o = await settlingOrder("0.75");
    // Mixin already holds a transaction under this trace id (posted by an earlier attempt) …
    const held = await port.transfer({
      requestId: o.traceId,
      assetId: o.assetId,
      amount: "0.75",
      opponentId: EMULATED_MIXPAY_BOT,
      memo: o.memo,
    });
    expect(held.state).toBe("spent");
    const mixinRaw = emu.postedRaws().find((p) => p.request_id === o.traceId)!.raw;
    // … while the broker's row carries other signed bytes (last signature byte differs).
    const other = mixinRaw.slice(0, -2) + (mixinRaw.endsWith("00") ? "01" : "00");
    await store.db.update(mixinTransfers).set({ signedRaw: other }).where(eq(mixinTransfers.orderId, o.id));

    const e = await sendSettlementTransfer(store.db, o.id, port, "test").catch((x: unknown) => x);
    expect(e).toMatchObject({ code: AppErrorCode.CONFLICT, details: { reason: "raw_mismatch" } });
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `settlement_raw_mismatch:${o.id}`));
    expect(alert).toMatchObject({ kind: "settlement_raw_mismatch", severity: "critical", orderId: o.id });
    expect(await transferRow(o.id)).toMatchObject({ status: "pending", signedRaw: other });

    // Retrying changes nothing: the same stop, no second payment, the stored bytes untouched.
    await expect(sendSettlementTransfer(store.db, o.id, port, "test")).rejects.toMatchObject({
      code: AppErrorCode.CONFLICT,
    });
    expect(paidTo(o.traceId)).toHaveLength(1);
    expect((await transferRow(o.id)).signedRaw).toBe(other);
  });

  it("does not sign over a different request Mixin holds under the trace id (request_conflict)", async () => {
    const o = await settlingOrder("2");
    // An earlier attempt verified other bytes under this id (different memo) and died.
    const other = await port
      .transfer(
        {
          requestId: o.traceId,
          assetId: o.assetId,
          amount: "2",
          opponentId: EMULATED_MIXPAY_BOT,
          memo: "an earlier build",
        },
        { saveSignedRaw: async () => Promise.reject(new Error("died before storing")) },
      )
      .catch((x: unknown) => x);
    expect(other).toBeInstanceOf(Error);

    const e = await sendSettlementTransfer(store.db, o.id, port, "test").catch((x: unknown) => x);
    expect(e).toMatchObject({ code: AppErrorCode.CONFLICT, details: { reason: "request_conflict" } });
    expect(emu.postedRaws().filter((p) => p.request_id === o.traceId)).toEqual([]);
    expect((await transferRow(o.id)).signedRaw).toBeNull();
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `settlement_raw_mismatch:${o.id}`));
    expect(alert).toMatchObject({ severity: "critical" });
    expect(paidTo(o.traceId)).toEqual([]);
  });
});
