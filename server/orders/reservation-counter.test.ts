import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { alerts, balances, reservationHolds } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { DEMO_ASSETS } from "@/db/seed";
import { checkReservations } from "@/server/balances/check-reservations";
import { syncBalances, type BalanceSource } from "@/server/balances/sync-balances";
import { syncBalancesWatched } from "@/server/balances/watch-balance-sync";
import { handleAssetsRange, handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { insertOrder } from "@/test/factories";
import { createBody, createRequest, PAYEE, rangeRequest } from "@/test/mixpay";
import { createTestStore, testDriver, type TestStore } from "@/test/store";
import { ORDER_TRANSITIONS } from "./state-machine";
import { transitionOrder } from "./transition-order";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const USDT = DEMO_ASSETS.USDT;
const fixed = (b: string): BalanceSource => ({
  readBalances: async (ids) => new Map(ids.map((id) => [id, id === USDT ? b : "1000"])),
  readAssetPrices: async () => new Map(),
});

async function create(amount: string): Promise<{ code: number; message: string }> {
  return (await handleCreateOrder(createRequest(createBody({ amount })))).json() as Promise<{
    code: number;
    message: string;
  }>;
}

async function orderIdOf(traceAmount: string): Promise<string> {
  const rows = await store.db.execute(
    sql`select id from orders where amount = ${traceAmount}::numeric order by created_at desc limit 1`,
  );
  const list = Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows;
  return (list[0] as { id: string }).id;
}

async function settle(orderId: string): Promise<void> {
  await transitionOrder(store.db, { orderId, from: "created", to: "paid", actor: "test" });
  await transitionOrder(store.db, { orderId, from: "paid", to: "settling", actor: "test" });
  await transitionOrder(store.db, { orderId, from: "settling", to: "settled", actor: "test" });
}

async function counter(): Promise<string> {
  const [b] = await store.db.select({ reserved: balances.reserved }).from(balances).where(eq(balances.assetId, USDT));
  return b!.reserved;
}

describe(`reservations across settlement and balance sync (${testDriver()})`, () => {
  beforeEach(async () => {
    // A clean slate per case: a fresh sync of 100 USDT and nothing reserved.
    await store.db.execute(
      sql`update orders set status = 'refunded' where status in ('created','paid','settling','settlement_failed')`,
    );
    await store.db.delete(reservationHolds);
    await store.db.update(balances).set({ reserved: "0" });
    await syncBalances(store.db, fixed("100"));
  });

  it("issue 11: a settled order stays reserved until a sync that began after it; create_order refuses to over-commit meanwhile", async () => {
    expect((await create("60")).code).toBe(0);
    await settle(await orderIdOf("60"));
    // The money left the bot, but the stored balance (100) does not know yet: 90 must not be accepted.
    expect((await create("90")).code).toBe(11002);
    expect((await create("40")).code).toBe(0);
    expect(await counter()).toBe("100.00000000");
    // The next sync reads 0 left after both (60 sent; 40 still created): the hold is released.
    await syncBalances(store.db, fixed("40"));
    expect(await store.db.select().from(reservationHolds)).toHaveLength(0);
    expect(await counter()).toBe("40.00000000");
    expect((await create("1")).code).toBe(11002);
  });

  it("a sync that began before the order left settling does not release its hold", async () => {
    expect((await create("60")).code).toBe(0);
    const id = await orderIdOf("60");
    await transitionOrder(store.db, { orderId: id, from: "created", to: "paid", actor: "test" });
    await transitionOrder(store.db, { orderId: id, from: "paid", to: "settling", actor: "test" });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: BalanceSource = {
      // Mixin was read before the transfer left: it still says 100.
      readBalances: async (ids) => {
        await gate;
        return new Map(ids.map((x) => [x, x === USDT ? "100" : "1000"]));
      },
      readAssetPrices: async () => new Map(),
    };
    const syncing = syncBalances(store.db, slow);
    await new Promise((r) => setTimeout(r, 50));
    await transitionOrder(store.db, { orderId: id, from: "settling", to: "settled", actor: "test" });
    release();
    await syncing;
    expect(await store.db.select().from(reservationHolds)).toHaveLength(1);
    expect((await create("50")).code).toBe(11002);
    await syncBalances(store.db, fixed("40"));
    expect(await store.db.select().from(reservationHolds)).toHaveLength(0);
    expect((await create("40")).code).toBe(0);
  });

  it("answers 11002 when the last balance sync is older than BALANCE_SYNC_MAX_AGE_SECONDS, and assets/range stops offering the asset", async () => {
    await store.db
      .update(balances)
      .set({ syncedAt: new Date(Date.now() - 61_000) })
      .where(eq(balances.assetId, USDT));
    const r = await create("1");
    expect(r).toMatchObject({ code: 11002 });
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `balance_stale:${USDT}`));
    expect(alert).toMatchObject({ kind: "balance_stale", severity: "critical" });
    const range = (await (await handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" }))).json()) as {
      data: { asset_id: string }[];
    };
    expect(range.data.map((a) => a.asset_id)).not.toContain(USDT);
    // Nothing was reserved by the refused request.
    expect(await counter()).toBe("0.00000000");
    await syncBalances(store.db, fixed("100"));
    expect((await create("1")).code).toBe(0);
  });

  it("a failing balance sync raises balance_sync_failing from the third failure in a row, and a success resets the count", async () => {
    const broken: BalanceSource = {
      readBalances: async () => Promise.reject(new Error("Mixin 502")),
      readAssetPrices: async () => new Map(),
    };
    const failing = () => store.db.select().from(alerts).where(eq(alerts.dedupeKey, "balance_sync_failing"));
    for (let i = 0; i < 2; i++)
      await expect(syncBalancesWatched(store.db, broken, { alertAfter: 3 })).rejects.toThrow("Mixin 502");
    expect(await failing()).toHaveLength(0);
    await expect(syncBalancesWatched(store.db, broken, { alertAfter: 3 })).rejects.toThrow("Mixin 502");
    const [a] = await failing();
    expect(a).toMatchObject({ kind: "balance_sync_failing", severity: "critical" });
    expect(a!.message).toContain("3 times in a row");
    await syncBalancesWatched(store.db, fixed("100"), { alertAfter: 3 });
    await store.db
      .update(alerts)
      .set({ acknowledgedAt: new Date() })
      .where(eq(alerts.dedupeKey, "balance_sync_failing"));
    // Two more failures after the success: under the threshold again, no new alert.
    for (let i = 0; i < 2; i++)
      await expect(syncBalancesWatched(store.db, broken, { alertAfter: 3 })).rejects.toThrow();
    expect((await failing()).filter((x) => !x.acknowledgedAt)).toHaveLength(0);
  });

  it("every legal transition keeps the counter equal to its orders (a new transition needs no counter code)", async () => {
    const edges = (Object.entries(ORDER_TRANSITIONS) as [OrderStatus, readonly OrderStatus[]][]).flatMap(
      ([from, tos]) => tos.map((to) => [from, to] as const),
    );
    for (const [from, to] of edges) {
      const o = await insertOrder(store.db, { amount: "1.5", status: from });
      await transitionOrder(store.db, { orderId: o.id, from, to, actor: "test" });
      const r = await checkReservations(store.db);
      expect({ edge: `${from}→${to}`, drift: r.drift }).toEqual({ edge: `${from}→${to}`, drift: [] });
    }
  });

  it("check-reservations raises a critical alert when the counter drifts from the open orders", async () => {
    expect((await create("5")).code).toBe(0);
    expect((await checkReservations(store.db)).drift).toEqual([]);
    await store.db
      .update(balances)
      .set({ reserved: sql`${balances.reserved} - 2` })
      .where(eq(balances.assetId, USDT));
    const r = await checkReservations(store.db);
    expect(r.drift).toEqual([{ assetId: USDT, counter: "3.00000000", expected: "5.00000000" }]);
    const [a] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `reservation_drift:${USDT}`));
    expect(a).toMatchObject({ kind: "reservation_drift", severity: "critical" });
  });
});
