import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { orderEvents, orders } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { expireDueOrders } from "./expire-orders";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("expireDueOrders", () => {
  it("expires unpaid orders past expired_at and leaves the rest", async () => {
    const due = await insertOrder(store.db, { expiredAt: new Date(Date.now() - 1000) });
    const notDue = await insertOrder(store.db, { expiredAt: new Date(Date.now() + 60_000) });
    const paid = await insertOrder(store.db, { expiredAt: new Date(Date.now() - 1000), status: "paid" });
    const r = await expireDueOrders(store.db);
    expect(r.expired).toContain(due.id);
    expect(r.expired).not.toContain(notDue.id);
    expect(r.expired).not.toContain(paid.id);
    const [row] = await store.db.select().from(orders).where(eq(orders.id, due.id));
    expect(row!.status).toBe("expired");
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, due.id));
    expect(events.map((e) => [e.toStatus, e.actor])).toEqual([["expired", "system:expire-orders"]]);
    // Running again changes nothing.
    expect((await expireDueOrders(store.db)).expired).not.toContain(due.id);
  });
});
