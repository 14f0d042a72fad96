import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "@/db/schema";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { redriveStuckOrders } from "./redrive-stuck-orders";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("redriveStuckOrders", () => {
  it("re-queues the event of orders stuck past their state's limit, once per window", async () => {
    const old = new Date(Date.now() - 60 * 60_000);
    const stuckPaid = await insertOrder(store.db, { status: "paid", updatedAt: old });
    const stuckRefund = await insertOrder(store.db, { status: "mixpay_refunded", updatedAt: old });
    await insertOrder(store.db, { status: "paid" }); // just paid: left alone
    await insertOrder(store.db, { status: "settled", updatedAt: old }); // done: left alone
    expect(await redriveStuckOrders(store.db)).toBe(2);
    expect(await redriveStuckOrders(store.db)).toBe(0);
    const rows = await store.db.select().from(outbox);
    expect(rows.map((r) => [r.name, (r.data as { orderId: string }).orderId]).sort()).toEqual(
      [
        ["order/refund.requested", stuckRefund.id],
        ["order/settle.requested", stuckPaid.id],
      ].sort(),
    );
  });
});
