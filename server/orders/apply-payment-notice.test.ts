import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEvents, orders, outbox } from "@/db/schema";
import { submitDemoCheckout } from "@/server/wallets/demo-checkout";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { applyPaymentNotice } from "./apply-payment-notice";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

async function demoOrder(overrides: Parameters<typeof insertOrder>[1] = {}) {
  const o = await insertOrder(store.db, overrides);
  await store.db
    .update(orders)
    .set({ walletOrderId: o.id, walletTradeNo: o.id.replace(/-/g, "") })
    .where(eq(orders.id, o.id));
  return o;
}
const timeline = async (id: string) =>
  (await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id)).orderBy(asc(orderEvents.id))).map(
    (e) => e.type,
  );
const outboxFor = async (id: string) =>
  (await store.db.select().from(outbox)).filter((e) => (e.data as { orderId?: string }).orderId === id);

describe("applyPaymentNotice (the path every wallet's payment takes)", () => {
  it("marks an order paid in time as paid and queues its settlement once", async () => {
    const o = await demoOrder();
    const first = await submitDemoCheckout(store.db, o.id, "pay", true);
    expect(first.outcome).toBe("paid");
    expect(first.order.paidAt).toBeInstanceOf(Date);
    const again = await submitDemoCheckout(store.db, o.id, "pay", true);
    expect(again.outcome).toBe("duplicate");
    expect(await timeline(o.id)).toEqual(["wallet.paid", "wallet.duplicate_notice"]);
    const events = await outboxFor(o.id);
    expect(events.map((e) => [e.id, e.name])).toEqual([[`order.paid/${o.id}`, "order/paid"]]);
  });

  it("marks a payment after expired_at as paid late and queues a refund to the end user", async () => {
    const o = await demoOrder({ expiredAt: new Date(Date.now() - 60_000) });
    const r = await submitDemoCheckout(store.db, o.id, "pay", true);
    expect(r.outcome).toBe("paid_late");
    expect(r.order.status).toBe("paid_late");
    expect((await outboxFor(o.id)).map((e) => e.name)).toEqual(["order/refund.requested"]);
  });

  it("treats a payment reported for an already-expired order as paid late", async () => {
    const o = await demoOrder({ status: "expired", expiredAt: new Date(Date.now() + 60_000) });
    const r = await applyPaymentNotice(store.db, {
      walletProvider: "demo",
      actor: "wallet:demo",
      notice: { walletOrderId: o.id, status: "paid" },
    });
    expect(r.outcome).toBe("paid_late");
  });

  it("cancels an unpaid order when the wallet closes it, and a later payment is paid late", async () => {
    const o = await demoOrder();
    expect((await submitDemoCheckout(store.db, o.id, "cancel", true)).outcome).toBe("cancelled");
    expect((await submitDemoCheckout(store.db, o.id, "pay", true)).outcome).toBe("paid_late");
  });

  it("ignores pending notices and refuses unknown payments", async () => {
    const o = await demoOrder();
    expect(
      (
        await applyPaymentNotice(store.db, {
          walletProvider: "demo",
          actor: "t",
          notice: { walletOrderId: o.id, status: "pending" },
        })
      ).outcome,
    ).toBe("ignored");
    await expect(
      applyPaymentNotice(store.db, {
        walletProvider: "demo",
        actor: "t",
        notice: { walletOrderId: crypto.randomUUID(), status: "paid" },
      }),
    ).rejects.toThrow(/no order/);
  });

  it("refuses demo payments when the demo wallet is disabled", async () => {
    const o = await demoOrder();
    await expect(submitDemoCheckout(store.db, o.id, "pay", false)).rejects.toThrow(/disabled/);
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("created");
  });
});
