import { asc, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, orders, outboundAttempts, refunds } from "@/db/schema";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { refundEndUserFn } from "./refund-end-user";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("refund-end-user function (demo wallet)", () => {
  it("refunds a paid-late order in full through its wallet, once, with a deterministic request id", async () => {
    const o = await insertOrder(store.db, { status: "paid_late", payAmount: "1.01000000" });
    await store.db.update(orders).set({ walletOrderId: o.id }).where(eq(orders.id, o.id));
    const t = new InngestTestEngine({ function: refundEndUserFn });
    const { result } = await t.execute({ events: [{ name: "order/refund.requested", data: { orderId: o.id } }] });
    expect(result).toEqual({ orderId: o.id, outcome: "refunded" });
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("refunded");
    const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, o.id));
    expect(refund).toMatchObject({
      amount: "1.01000000",
      status: "succeeded",
      requestId: `rf${o.id.replace(/-/g, "")}`,
      reason: "paid_late",
    });

    // The event delivered again: nothing is refunded twice.
    const again = await new InngestTestEngine({ function: refundEndUserFn }).execute({
      events: [{ name: "order/refund.requested", data: { orderId: o.id } }],
    });
    expect(again.result).toEqual({ orderId: o.id, outcome: "already_refunded" });
    const attempts = await store.db.select().from(outboundAttempts).where(eq(outboundAttempts.orderId, o.id));
    expect(attempts).toHaveLength(1);
    const types = (
      await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id)).orderBy(asc(orderEvents.id))
    ).map((e) => e.type);
    expect(types).toEqual(["order.refunding", "order.refunded"]);
  });

  it("a wallet that fails the refund leaves the order refunding with the error, and the retry refunds it once", async () => {
    const { setWalletProvider } = await import("@/server/wallets/registry");
    const { DemoWallet } = await import("@/server/wallets/demo");
    const o = await insertOrder(store.db, { status: "mixpay_refunded", mixpayRefundCode: "40025" });
    await store.db.update(orders).set({ walletOrderId: o.id }).where(eq(orders.id, o.id));
    const real = new DemoWallet("http://localhost:3000", true);
    setWalletProvider("demo", {
      kind: "demo",
      createPayment: (x) => real.createPayment(x),
      queryPayment: (x) => real.queryPayment(x),
      refund: async () => ({ status: "failed", error: "wallet balance too low" }),
      close: () => real.close(),
    });
    try {
      const failed = await new InngestTestEngine({ function: refundEndUserFn }).execute({
        events: [{ name: "order/refund.requested", data: { orderId: o.id } }],
      });
      expect(failed.error).toBeDefined();
      const [mid] = await store.db.select().from(orders).where(eq(orders.id, o.id));
      expect(mid!.status).toBe("refunding");
      const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, o.id));
      expect(refund).toMatchObject({ lastError: "wallet balance too low", reason: "mixpay_refund" });
    } finally {
      setWalletProvider("demo", undefined);
    }
    const retried = await new InngestTestEngine({ function: refundEndUserFn }).execute({
      events: [{ name: "order/refund.requested", data: { orderId: o.id } }],
    });
    expect(retried.result).toEqual({ orderId: o.id, outcome: "refunded" });
    const attempts = await store.db.select().from(outboundAttempts).where(eq(outboundAttempts.orderId, o.id));
    expect(attempts.map((a) => a.outcome)).toEqual(["failed", "succeeded"]);
    expect(new Set(attempts.map((a) => a.idempotencyKey)).size).toBe(1);
  });
});
