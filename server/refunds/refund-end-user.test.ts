import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orderEvents, orders, outboundAttempts, refunds } from "@/db/schema";
import { AppErrorCode } from "@/server/errors";
import type { WalletProvider, WalletRefundRequest, WalletRefundResult } from "@/server/wallets/port";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { markRefundFailed, refundEndUser, refundRequestIdFor } from "./refund-end-user";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

/** A stand-in for a remote wallet: remembers refunds by request id, as a real wallet does. */
function walletDouble(behaviour: (req: WalletRefundRequest, n: number) => WalletRefundResult | Error) {
  const seen = new Map<string, WalletRefundRequest>();
  let calls = 0;
  const provider: WalletProvider = {
    kind: "demo",
    async createPayment() {
      throw new Error("not used");
    },
    async queryPayment() {
      throw new Error("not used");
    },
    async close() {
      throw new Error("not used");
    },
    async refund(req) {
      calls++;
      const r = behaviour(req, calls);
      if (r instanceof Error) throw r;
      if (r.status === "succeeded") seen.set(req.refundRequestId, req);
      return r;
    },
  };
  return { provider, seen, calls: () => calls };
}

describe("refundEndUser", () => {
  it("refunds what the user paid, once, with a deterministic request id", async () => {
    const o = await insertOrder(store.db, {
      status: "mixpay_refunded",
      mixpayRefundCode: "40025",
      walletOrderId: "w1",
    });
    const w = walletDouble((req) => ({ status: "succeeded", providerRefundId: `p-${req.refundRequestId}` }));
    expect(await refundEndUser(store.db, o.id, () => w.provider)).toBe("refunded");
    expect(await refundEndUser(store.db, o.id, () => w.provider)).toBe("already_refunded");
    expect(w.calls()).toBe(1);
    const [req] = [...w.seen.values()];
    expect(req).toMatchObject({ refundRequestId: refundRequestIdFor(o.id), amount: "1.01000000" });
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("refunded");
    const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, o.id));
    expect(refund).toMatchObject({ status: "succeeded", reason: "mixpay_refund", attempts: 1 });
    const timeline = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id));
    expect(timeline.map((e) => e.toStatus)).toEqual(["refunding", "refunded"]);
  });

  it("keeps the order refunding and retries with the same id after a wallet failure", async () => {
    const o = await insertOrder(store.db, { status: "paid_late", walletOrderId: "w2" });
    const ids: string[] = [];
    const w = walletDouble((req, n) => {
      ids.push(req.refundRequestId);
      return n === 1 ? new Error("wallet 503") : { status: "succeeded" };
    });
    await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toMatchObject({
      code: AppErrorCode.RETRYABLE,
    });
    const [mid] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(mid!.status).toBe("refunding");
    expect(await refundEndUser(store.db, o.id, () => w.provider)).toBe("refunded");
    expect(new Set(ids).size).toBe(1);
    const attempts = await store.db.select().from(outboundAttempts).where(eq(outboundAttempts.orderId, o.id));
    expect(attempts.map((a) => a.outcome)).toEqual(["failed", "succeeded"]);
    const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, o.id));
    expect(refund!.reason).toBe("paid_late");
  });

  it("marks the refund failed for an operator when retries are exhausted", async () => {
    const o = await insertOrder(store.db, { status: "paid_late", walletOrderId: "w3" });
    const w = walletDouble(() => ({ status: "failed", error: "insufficient balance" }));
    await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toThrow(/insufficient balance/);
    await markRefundFailed(store.db, o.id, "insufficient balance", "system:test");
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("refund_failed");
  });

  it("refuses orders that owe no refund", async () => {
    const o = await insertOrder(store.db, { status: "settled", walletOrderId: "w4" });
    const w = walletDouble(() => ({ status: "succeeded" }));
    await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toMatchObject({
      code: AppErrorCode.ILLEGAL_TRANSITION,
    });
    expect(w.calls()).toBe(0);
  });
});
