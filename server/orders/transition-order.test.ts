import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orderEvents, orders, outbox } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { AppErrorCode } from "@/server/errors";
import { createTestStore, type TestStore } from "@/test/store";
import { transitionOrder } from "./transition-order";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

async function newOrder(): Promise<string> {
  const traceId = crypto.randomUUID();
  const [o] = await store.db
    .insert(orders)
    .values({
      traceId,
      payeeId: crypto.randomUUID(),
      wallet: "demo",
      assetId: DEMO_ASSETS.USDT,
      amount: "1",
      feeRate: "0.01",
      fee: "0.01",
      payAmount: "1.01",
      memo: "m",
      expiredAt: new Date(Date.now() + 60_000),
      returnUrl: "https://example.com/r",
      opponentId: crypto.randomUUID(),
      requestHash: "x".repeat(64),
      walletProvider: "demo",
    })
    .returning();
  return o!.id;
}

describe("transitionOrder", () => {
  it("moves the order, writes its timeline and outbox event in one go", async () => {
    const id = await newOrder();
    const r = await transitionOrder(store.db, {
      orderId: id,
      from: "created",
      to: "paid",
      actor: "wallet:demo",
      patch: { paidAt: new Date() },
      events: [{ id: `order.paid/${id}`, name: "order/paid", data: { orderId: id } }],
    });
    expect(r.changed).toBe(true);
    expect(r.order.status).toBe("paid");
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id));
    expect(events.map((e) => [e.type, e.fromStatus, e.toStatus, e.actor])).toEqual([
      ["order.paid", "created", "paid", "wallet:demo"],
    ]);
    const ob = await store.db
      .select()
      .from(outbox)
      .where(eq(outbox.id, `order.paid/${id}`));
    expect(ob).toHaveLength(1);
  });

  it("treats a repeat of the same transition as a no-op", async () => {
    const id = await newOrder();
    await transitionOrder(store.db, { orderId: id, from: "created", to: "paid", actor: "t" });
    const again = await transitionOrder(store.db, { orderId: id, from: "created", to: "paid", actor: "t" });
    expect(again.changed).toBe(false);
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id));
    expect(events).toHaveLength(1);
  });

  it("refuses moves the table forbids and moves from the wrong state", async () => {
    const id = await newOrder();
    await expect(
      transitionOrder(store.db, { orderId: id, from: "created", to: "settled", actor: "t" }),
    ).rejects.toMatchObject({
      code: AppErrorCode.ILLEGAL_TRANSITION,
    });
    await expect(
      transitionOrder(store.db, { orderId: id, from: "paid", to: "settling", actor: "t" }),
    ).rejects.toMatchObject({
      code: AppErrorCode.ILLEGAL_TRANSITION,
    });
    const [o] = await store.db.select().from(orders).where(eq(orders.id, id));
    expect(o!.status).toBe("created");
  });

  it("lets exactly one of two racing transitions win", async () => {
    const id = await newOrder();
    const results = await Promise.allSettled([
      transitionOrder(store.db, { orderId: id, from: "created", to: "paid", actor: "a" }),
      transitionOrder(store.db, { orderId: id, from: "created", to: "expired", actor: "b" }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled" && r.value.changed);
    expect(won).toHaveLength(1);
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id));
    expect(events).toHaveLength(1);
  });
});
