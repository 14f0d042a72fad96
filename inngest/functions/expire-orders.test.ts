import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { orders } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { expireOrdersFn } from "./expire-orders";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("expire-orders function", () => {
  it("expires due orders in its named step", async () => {
    const due = await insertOrder(store.db, { expiredAt: new Date(Date.now() - 5_000) });
    const t = new InngestTestEngine({ function: expireOrdersFn });
    const { result } = await t.execute({ events: [{ name: "inngest/scheduled.timer", data: {} }] });
    expect(result).toEqual({ expired: 1 });
    const [row] = await store.db.select().from(orders).where(eq(orders.id, due.id));
    expect(row!.status).toBe("expired");
  });
});
