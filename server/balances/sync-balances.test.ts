import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { alerts, assets, balances } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { createTestStore, type TestStore } from "@/test/store";
import { syncBalances, type BalanceSource } from "./sync-balances";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const source = (b: Record<string, string>, p: Record<string, string>): BalanceSource => ({
  readBalances: async () => new Map(Object.entries(b)),
  readAssetPrices: async () => new Map(Object.entries(p)),
});

describe("syncBalances", () => {
  it("stores balances, prices and synced_at, and alerts on a low balance once", async () => {
    const now = new Date("2026-11-24T10:00:00Z");
    const src = source(
      { [DEMO_ASSETS.USDT]: "12.5", [DEMO_ASSETS.BTC]: "1" },
      { [DEMO_ASSETS.BTC]: "90000.5", [DEMO_ASSETS.ETH]: "0" },
    );
    const r = await syncBalances(store.db, src, now);
    expect(r.synced).toBe(3);
    // USDT 12.5 < threshold 100; ETH reads as 0 < 0.1.
    expect(r.lowBalance.sort()).toEqual([DEMO_ASSETS.USDT, DEMO_ASSETS.ETH].sort());
    const [usdt] = await store.db.select().from(balances).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    expect(usdt).toMatchObject({ balance: "12.50000000", syncedAt: now });
    const [btc] = await store.db.select().from(assets).where(eq(assets.assetId, DEMO_ASSETS.BTC));
    expect(btc!.priceUsd).toBe("90000.50000000");
    // A price of 0 means unknown: the previous price stays.
    const [eth] = await store.db.select().from(assets).where(eq(assets.assetId, DEMO_ASSETS.ETH));
    expect(eth!.priceUsd).toBe("3500.00000000");
    await syncBalances(store.db, src, now);
    const low = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `low_balance:${DEMO_ASSETS.USDT}`));
    expect(low).toHaveLength(1);
    expect(low[0]!.occurrences).toBe(2);
  });
});
