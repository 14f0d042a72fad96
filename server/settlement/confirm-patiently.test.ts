import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orders } from "@/db/schema";
import { AppErrorCode } from "@/server/errors";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { confirmSettlementPatiently } from "./confirm-patiently";
import type { MixPayPaymentStatus, MixPayResultApi, SettlementMixin } from "./ports";
import { beginSettlement } from "./settle-order";

/**
 * The confirm step checks again inside itself, with short pauses, while the answer is one that
 * changes within seconds (Mixin not spent yet, MixPay not seen yet); other answers go straight to
 * the durable function's retry, and the wait is bounded.
 */
let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => {
  await store.cleanup();
});

async function settlingOrder() {
  const o = await insertOrder(store.db, { status: "paid" });
  await beginSettlement(store.db, o.id, "test");
  return o;
}

/** Mixin answers these states in turn (the last one from then on); MixPay these statuses. */
function remote(states: string[], statuses: MixPayPaymentStatus[]) {
  const calls = { lookups: 0, results: 0 };
  const mixin: SettlementMixin = {
    transfer: () => Promise.reject(new Error("confirm never sends")),
    lookupTransfer: async () => ({
      state: states[Math.min(calls.lookups++, states.length - 1)]!,
      transactionHash: "ab".repeat(32),
      snapshotId: crypto.randomUUID(),
      alreadyExisted: true,
    }),
  };
  const mixpay: MixPayResultApi = {
    paymentStatus: async () => statuses[Math.min(calls.results++, statuses.length - 1)]!,
  };
  return { mixin, mixpay, calls };
}

function recordSleeps() {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
}

const status = async (id: string) =>
  (await store.db.select({ s: orders.status }).from(orders).where(eq(orders.id, id)))[0]!.s;

describe("confirmSettlementPatiently", () => {
  it("checks again after 0.1 s, 0.2 s … while Mixin has the transfer signed, and settles once it is spent", async () => {
    const o = await settlingOrder();
    const r = remote(["signed", "signed", "spent"], ["success"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 15_000, sleep: s.sleep }),
    ).resolves.toBe("settled");
    expect(s.slept).toEqual([100, 200]);
    expect(r.calls).toEqual({ lookups: 3, results: 1 });
    expect(await status(o.id)).toBe("settled");
  });

  it("checks again while MixPay has not seen the spent transfer yet", async () => {
    const o = await settlingOrder();
    const r = remote(["spent"], ["unpaid", "pending", "success"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 15_000, sleep: s.sleep }),
    ).resolves.toBe("settled");
    expect(s.slept).toEqual([100, 200]);
  });

  it("gives a never-spent transfer back to the retry once the wait is spent (pauses capped at 0.5 s)", async () => {
    const o = await settlingOrder();
    const r = remote(["signed"], ["success"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 5000, sleep: s.sleep }),
    ).rejects.toMatchObject({ code: AppErrorCode.RETRYABLE, details: { reason: "not_spent" } });
    expect(s.slept).toEqual([100, 200, 400, 500, 500, 500, 500, 500, 500, 500, 500]);
    expect(await status(o.id)).toBe("settling");
  });

  it("does not wait at all with a zero wait", async () => {
    const o = await settlingOrder();
    const r = remote(["signed", "spent"], ["success"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 0, sleep: s.sleep }),
    ).rejects.toMatchObject({ details: { reason: "not_spent" } });
    expect(s.slept).toEqual([]);
  });

  it("leaves a trace MixPay does not know (a wait of minutes) to the retry at once", async () => {
    const o = await settlingOrder();
    const r = remote(["spent"], ["unknown"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 15_000, sleep: s.sleep }),
    ).rejects.toMatchObject({ code: AppErrorCode.RETRYABLE, details: { reason: "mixpay_unknown" } });
    expect(s.slept).toEqual([]);
    expect(r.calls.results).toBe(1);
  });

  it("returns MixPay's failure at once (the order stays settling for the refund watcher)", async () => {
    const o = await settlingOrder();
    const r = remote(["spent"], ["failed"]);
    const s = recordSleeps();
    await expect(
      confirmSettlementPatiently(store.db, o.id, r.mixin, r.mixpay, "test", { waitMs: 15_000, sleep: s.sleep }),
    ).resolves.toBe("mixpay_failed");
    expect(s.slept).toEqual([]);
  });
});
