import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assets, balances, payeeAccessEntries, payeeAccessPolicy, wallets } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { insertOrder } from "@/test/factories";
import { envelope, PAYEE, rangeRequest } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import { handleAssetsRange } from "./handlers";

interface Range {
  asset_id: string;
  min: string;
  max: string;
  min_usdt: string;
  max_usdt: string;
  fee: string;
}

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

async function range(params: Record<string, string>) {
  return envelope<Range[]>(await handleAssetsRange(rangeRequest(params)));
}

describe("GET /mixpay/assets/range", () => {
  beforeEach(async () => {
    await store.db.update(payeeAccessPolicy).set({ mode: "open" });
    await store.db.delete(payeeAccessEntries);
  });

  it("answers the spec's shape: one entry per enabled asset with 8-decimal min/max, USDT bounds and the fee rate", async () => {
    const r = await range({ payee_id: PAYEE, wallet: "demo" });
    expect(r).toMatchObject({ code: 0, success: true, message: "", status: 200 });
    const usdt = r.data.find((a) => a.asset_id === DEMO_ASSETS.USDT);
    expect(usdt).toEqual({
      asset_id: DEMO_ASSETS.USDT,
      min: "0.10000000",
      max: "1000.00000000",
      min_usdt: "0.10",
      max_usdt: "1000.00",
      fee: "0.0100",
    });
    const btc = r.data.find((a) => a.asset_id === DEMO_ASSETS.BTC)!;
    // 1 USDT / 95000 rounded up; 1000 USDT / 95000 rounded down.
    expect(btc).toMatchObject({
      min: "0.00001053",
      max: "0.01052631",
      min_usdt: "1.00",
      max_usdt: "1000.00",
      fee: "0.0100",
    });
    for (const a of r.data) {
      expect(a.min).toMatch(/^\d+\.\d{8}$/);
      expect(a.max).toMatch(/^\d+\.\d{8}$/);
    }
  });

  it("caps max at what the balance minus reservations covers, and drops an asset that cannot cover its minimum", async () => {
    await store.db.update(balances).set({ balance: "12" }).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    await insertOrder(store.db, { amount: "2.5" }); // created, not expired: reserved
    await insertOrder(store.db, { amount: "4", status: "paid" }); // owed to MixPay: reserved
    await insertOrder(store.db, { amount: "100", expiredAt: new Date(Date.now() - 1000) }); // past expired_at: reserved until the expiry job
    await insertOrder(store.db, { amount: "100", status: "settled" }); // already paid out: not reserved
    let usdt = (await range({ payee_id: PAYEE, wallet: "demo" })).data.find((a) => a.asset_id === DEMO_ASSETS.USDT);
    expect(usdt).toBeUndefined(); // conservative between the deadline and the job
    await expireDueOrders(store.db);
    usdt = (await range({ payee_id: PAYEE, wallet: "demo" })).data.find((a) => a.asset_id === DEMO_ASSETS.USDT);
    expect(usdt).toMatchObject({ min: "0.10000000", max: "5.50000000", max_usdt: "5.50" });

    await store.db.update(balances).set({ balance: "6.55" }).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    usdt = (await range({ payee_id: PAYEE, wallet: "demo" })).data.find((a) => a.asset_id === DEMO_ASSETS.USDT);
    expect(usdt).toBeUndefined();
    await store.db.update(balances).set({ balance: "5000" }).where(eq(balances.assetId, DEMO_ASSETS.USDT));
  });

  it("leaves out disabled assets and assets without a price", async () => {
    await store.db.update(assets).set({ enabled: false }).where(eq(assets.assetId, DEMO_ASSETS.ETH));
    await store.db.update(assets).set({ priceUsd: null }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
    const ids = (await range({ payee_id: PAYEE, wallet: "demo" })).data.map((a) => a.asset_id);
    expect(ids).toEqual([DEMO_ASSETS.USDT]);
    await store.db.update(assets).set({ enabled: true }).where(eq(assets.assetId, DEMO_ASSETS.ETH));
    await store.db.update(assets).set({ priceUsd: "95000" }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
  });

  it("formats other fee rates with at least four decimals", async () => {
    await store.db.update(assets).set({ feeRate: "0.0025" }).where(eq(assets.assetId, DEMO_ASSETS.ETH));
    await store.db.update(assets).set({ feeRate: "0" }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
    const r = await range({ payee_id: PAYEE, wallet: "demo" });
    expect(r.data.find((a) => a.asset_id === DEMO_ASSETS.ETH)?.fee).toBe("0.0025");
    expect(r.data.find((a) => a.asset_id === DEMO_ASSETS.BTC)?.fee).toBe("0.0000");
    await store.db.update(assets).set({ feeRate: "0.01" });
  });

  it("accepts the 32-character form of a payee id", async () => {
    const r = await range({ payee_id: PAYEE.replace(/-/g, "").toUpperCase(), wallet: "binance" });
    expect(r.code).toBe(0);
  });

  it("answers 11001 No permission for a blocked payee, and for a payee off the allow-list", async () => {
    await store.db.insert(payeeAccessEntries).values({ payeeId: PAYEE, list: "block" });
    expect(await range({ payee_id: PAYEE, wallet: "demo" })).toMatchObject({
      code: 11001,
      success: false,
      message: "No permission",
      data: [],
    });

    await store.db.delete(payeeAccessEntries);
    await store.db.update(payeeAccessPolicy).set({ mode: "allow_list" });
    expect((await range({ payee_id: PAYEE, wallet: "demo" })).code).toBe(11001);
    await store.db.insert(payeeAccessEntries).values({ payeeId: PAYEE, list: "allow" });
    expect((await range({ payee_id: PAYEE, wallet: "demo" })).code).toBe(0);
    // The block-list wins over the allow-list.
    await store.db.insert(payeeAccessEntries).values({ payeeId: PAYEE, list: "block" });
    expect((await range({ payee_id: PAYEE, wallet: "demo" })).code).toBe(11001);
  });

  it.each([
    [{ wallet: "demo" }, "payee_id"],
    [{ payee_id: "", wallet: "demo" }, "payee_id"],
    [{ payee_id: "not-a-uuid", wallet: "demo" }, "payee_id"],
    [{ payee_id: `${PAYEE}0`, wallet: "demo" }, "payee_id"],
    [{ payee_id: PAYEE.slice(0, 30), wallet: "demo" }, "payee_id"],
    [{ payee_id: PAYEE }, "wallet"],
    [{ payee_id: PAYEE, wallet: "" }, "wallet"],
    [{ payee_id: PAYEE, wallet: "w".repeat(21) }, "wallet"],
    [{ payee_id: PAYEE, wallet: "paypal" }, "wallet"],
  ])("answers 11000 naming the field for %j", async (params, field) => {
    const r = await range(params as Record<string, string>);
    expect(r).toMatchObject({ code: 11000, success: false, data: [], status: 200 });
    expect(r.message).toMatch(/^Parameter error: /);
    expect(r.message).toContain(field);
  });

  it("answers 11000 for a disabled wallet", async () => {
    await store.db.update(wallets).set({ enabled: false }).where(eq(wallets.name, "binance"));
    expect((await range({ payee_id: PAYEE, wallet: "binance" })).code).toBe(11000);
    await store.db.update(wallets).set({ enabled: true }).where(eq(wallets.name, "binance"));
  });
});
