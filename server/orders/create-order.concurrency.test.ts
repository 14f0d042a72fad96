import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balances, orders } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { createBody, createRequest } from "@/test/mixpay";
import { createTestStore, testDriver, type TestStore } from "@/test/store";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe(`create_order reservations under concurrency (${testDriver()})`, () => {
  it("50 parallel orders against a balance that covers 10 create exactly 10; the rest answer 11002", async () => {
    await store.db.update(balances).set({ balance: "10" }).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        handleCreateOrder(createRequest(createBody({ amount: "1" }))).then(
          (r) => r.json() as Promise<{ code: number }>,
        ),
      ),
    );
    const codes = answers.map((a) => a.code);
    expect(codes.filter((c) => c === 0)).toHaveLength(10);
    expect(codes.filter((c) => c === 11002)).toHaveLength(40);

    const [reserved] = await store.db
      .select({ n: sql<number>`count(*)::int`, total: sql<string>`coalesce(sum(${orders.amount}), 0)::text` })
      .from(orders)
      .where(and(eq(orders.assetId, DEMO_ASSETS.USDT), eq(orders.status, "created")));
    expect(reserved).toEqual({ n: 10, total: "10.00000000" });
  });

  it("the same trace_id sent 20 times at once creates one order and answers the same links", async () => {
    await store.db.update(balances).set({ balance: "100" }).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    const body = createBody({ amount: "3" });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        handleCreateOrder(createRequest(body)).then(
          (r) => r.json() as Promise<{ code: number; data: { checkout_url: string } }>,
        ),
      ),
    );
    expect(new Set(answers.map((a) => a.code))).toEqual(new Set([0]));
    expect(new Set(answers.map((a) => a.data.checkout_url)).size).toBe(1);
    expect(
      await store.db
        .select()
        .from(orders)
        .where(eq(orders.traceId, body.trace_id as string)),
    ).toHaveLength(1);
  });
});
