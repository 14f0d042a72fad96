import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, assets, balances, orderEvents, orders, payeeAccessEntries } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { createBody, createRequest, envelope, PAYEE } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import { handleCreateOrder, handleUnknown } from "./handlers";

interface Links {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

async function create(body: Record<string, unknown> | string, as: "json" | "form" = "json") {
  return envelope<Links>(await handleCreateOrder(createRequest(body, as)));
}

const nowS = () => Math.floor(Date.now() / 1000);

describe("POST /mixpay/create_order", () => {
  it("creates the order and answers the three links (spec example shape), storing every field", async () => {
    const body = createBody();
    const r = await create(body);
    expect(r).toMatchObject({ code: 0, success: true, message: "", status: 200 });
    expect(Object.keys(r.data).sort()).toEqual(["checkout_url", "deep_link", "universal_url"]);
    expect(r.data.checkout_url).toMatch(/^http:\/\/localhost:3000\/checkout\/[0-9a-f-]{36}$/);
    expect(r.data.universal_url).toBe(r.data.checkout_url);
    expect(r.data.deep_link).toBe("");

    const [o] = await store.db
      .select()
      .from(orders)
      .where(eq(orders.traceId, body.trace_id as string));
    expect(o).toMatchObject({
      payeeId: PAYEE,
      wallet: "demo",
      assetId: DEMO_ASSETS.USDT,
      amount: "1.00020000",
      fee: "0.01000200",
      payAmount: "1.01020200",
      feeRate: "0.01000000",
      memo: body.memo,
      returnUrl: body.return_url,
      opponentId: body.opponent_id,
      status: "created",
      walletProvider: "demo",
      checkoutUrl: r.data.checkout_url,
    });
    expect(o!.expiredAt.getTime()).toBe(Number(body.expired_at) * 1000);
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o!.id));
    expect(events.map((e) => e.type)).toEqual(["order.created", "wallet.payment_created"]);
    expect(events[0]!.actor).toBe("mixpay");
  });

  it("accepts a form-encoded body and JSON numbers, read without loss", async () => {
    const form = createBody({ amount: "2.5" });
    expect((await create(form, "form")).code).toBe(0);
    const traceId = crypto.randomUUID();
    const raw = JSON.stringify(createBody({ trace_id: traceId }))
      .replace('"1.0002"', "1.12345678")
      .replace(/"expired_at":"(\d+)"/, '"expired_at":$1');
    expect((await create(raw)).code).toBe(0);
    const [o] = await store.db.select().from(orders).where(eq(orders.traceId, traceId));
    expect(o!.amount).toBe("1.12345678");
  });

  it("passes memo through untouched, spaces and symbols included", async () => {
    const memo = '  RF|x | ünïcode ✓ {"a":1}  ';
    const body = createBody({ memo });
    expect((await create(body)).code).toBe(0);
    const [o] = await store.db
      .select()
      .from(orders)
      .where(eq(orders.traceId, body.trace_id as string));
    expect(o!.memo).toBe(memo);
  });

  it("is idempotent by trace_id: the same request answers the same links and creates nothing new", async () => {
    const body = createBody();
    const first = await create(body);
    const again = await create({ ...body, amount: "1.00020" }); // the same amount written differently
    const asForm = await create(body, "form");
    expect(again.data).toEqual(first.data);
    expect(asForm.data).toEqual(first.data);
    const rows = await store.db
      .select()
      .from(orders)
      .where(eq(orders.traceId, body.trace_id as string));
    expect(rows).toHaveLength(1);
  });

  it.each([
    ["amount", "2"],
    ["memo", "other"],
    ["expired_at", String(nowS() + 1800)],
    ["return_url", "https://other.example/"],
    ["opponent_id", crypto.randomUUID()],
    ["asset_id", DEMO_ASSETS.ETH],
  ])("answers 11000 for a repeated trace_id with a different %s", async (field, value) => {
    const body = createBody({ amount: "0.5" });
    expect((await create(body)).code).toBe(0);
    const r = await create({ ...body, [field]: value });
    expect(r).toMatchObject({ code: 11000, success: false, data: [] });
    expect(r.message).toContain("trace_id");
  });

  const bad: [string, Record<string, unknown>][] = [
    ["payee_id", { payee_id: undefined }],
    ["payee_id", { payee_id: "nope" }],
    ["payee_id", { payee_id: 12 }],
    ["wallet", { wallet: undefined }],
    ["wallet", { wallet: "x".repeat(21) }],
    ["wallet", { wallet: "unknown" }],
    ["asset_id", { asset_id: undefined }],
    ["asset_id", { asset_id: "4d8c508b-91c5-375b-92b0" }],
    ["asset_id", { asset_id: crypto.randomUUID() }],
    ["amount", { amount: undefined }],
    ["amount", { amount: "" }],
    ["amount", { amount: "abc" }],
    ["amount", { amount: "0" }],
    ["amount", { amount: "-1" }],
    ["amount", { amount: "1.123456789" }],
    ["amount", { amount: "1e2" }],
    ["amount", { amount: true }],
    ["amount", { amount: "0.01" }],
    ["amount", { amount: "1000.00000001" }],
    ["trace_id", { trace_id: undefined }],
    ["trace_id", { trace_id: "trace" }],
    ["memo", { memo: undefined }],
    ["memo", { memo: "" }],
    ["memo", { memo: "m".repeat(201) }],
    ["memo", { memo: { nested: true } }],
    ["expired_at", { expired_at: undefined }],
    ["expired_at", { expired_at: String(nowS() - 1) }],
    ["expired_at", { expired_at: "soon" }],
    ["expired_at", { expired_at: String(Date.now() + 900_000) }],
    ["expired_at", { expired_at: "-5" }],
    ["return_url", { return_url: undefined }],
    ["return_url", { return_url: "ftp://mixpay.me/x" }],
    ["return_url", { return_url: "not a url" }],
    ["return_url", { return_url: `https://mixpay.me/${"r".repeat(190)}` }],
    ["opponent_id", { opponent_id: undefined }],
    ["opponent_id", { opponent_id: "bot" }],
  ];
  it.each(bad)("answers 11000 naming %s for %j", async (field, overrides) => {
    const body = createBody(overrides);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete body[k];
    const r = await create(body);
    expect(r).toMatchObject({ code: 11000, success: false, data: [], status: 200 });
    expect(r.message).toMatch(/^Parameter error: /);
    expect(r.message).toContain(field);
    if (/^[0-9a-f-]{36}$/.test(String(body.trace_id))) {
      expect(
        await store.db
          .select()
          .from(orders)
          .where(eq(orders.traceId, String(body.trace_id))),
      ).toHaveLength(0);
    }
  });

  it.each([
    ["malformed JSON", '{"payee_id": '],
    ["a JSON array", "[1,2]"],
    ["an empty body", ""],
  ])("answers 11000 for %s", async (_name, raw) => {
    const r = await create(raw);
    expect(r).toMatchObject({ code: 11000, success: false, data: [] });
  });

  it("answers 413 with the envelope for an oversized body", async () => {
    const r = await envelope(await handleCreateOrder(createRequest(createBody({ memo: "m".repeat(40_000) }))));
    expect(r).toMatchObject({ code: 11000, status: 413 });
  });

  it("answers 11001 for a refused payee", async () => {
    const payee = crypto.randomUUID();
    await store.db.insert(payeeAccessEntries).values({ payeeId: payee, list: "block" });
    expect(await create(createBody({ payee_id: payee }))).toMatchObject({
      code: 11001,
      success: false,
      message: "No permission",
      data: [],
    });
  });

  it("answers 11002 when the balance minus reservations cannot cover the amount, and raises a balance alert", async () => {
    await store.db.update(balances).set({ balance: "0.3" }).where(eq(balances.assetId, DEMO_ASSETS.ETH));
    const ok = await create(createBody({ asset_id: DEMO_ASSETS.ETH, amount: "0.2" }));
    expect(ok.code).toBe(0);
    const body = createBody({ asset_id: DEMO_ASSETS.ETH, amount: "0.2" });
    const r = await create(body);
    expect(r).toMatchObject({ code: 11002, success: false, message: "This payment is unavailable.", data: [] });
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.kind, "balance_unavailable"), eq(alerts.assetId, DEMO_ASSETS.ETH)));
    expect(alert).toBeDefined();
    expect(
      await store.db
        .select()
        .from(orders)
        .where(eq(orders.traceId, body.trace_id as string)),
    ).toHaveLength(0);
    // After a top-up the same trace_id goes through.
    await store.db.update(balances).set({ balance: "1.5" }).where(eq(balances.assetId, DEMO_ASSETS.ETH));
    expect((await create(body)).code).toBe(0);
  });

  it("answers 11002 and records the cause when the wallet cannot create the payment", async () => {
    const { setWalletProvider } = await import("@/server/wallets/registry");
    setWalletProvider("demo", {
      kind: "demo",
      createPayment: async () => {
        throw new Error("wallet is down");
      },
      queryPayment: async () => ({ walletOrderId: "", status: "pending" }),
      refund: async () => ({ status: "failed" }),
      close: async () => "closed",
    });
    try {
      const body = createBody();
      const r = await create(body);
      expect(r).toMatchObject({ code: 11002, success: false });
      const [o] = await store.db
        .select()
        .from(orders)
        .where(eq(orders.traceId, body.trace_id as string));
      expect(o).toMatchObject({ status: "failed", statusReason: "wallet is down" });
      const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o!.id));
      expect(events.map((e) => e.type)).toEqual(["order.created", "wallet.create_failed"]);
      // A repeat of a failed order answers the same.
      expect((await create(body)).code).toBe(11002);
    } finally {
      setWalletProvider("demo", undefined);
    }
  });

  it("answers 11000 for a disabled asset", async () => {
    await store.db.update(assets).set({ enabled: false }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
    const r = await create(createBody({ asset_id: DEMO_ASSETS.BTC, amount: "0.001" }));
    expect(r.code).toBe(11000);
    expect(r.message).toContain("asset_id");
    await store.db.update(assets).set({ enabled: true }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
  });

  it("answers wrong methods and unknown paths with the envelope", async () => {
    const get = await envelope(handleUnknown(new Request("http://broker.test/mixpay/create_order"), "POST"));
    expect(get).toMatchObject({ code: 11000, success: false, status: 405 });
    const unknown = await envelope(handleUnknown(new Request("http://broker.test/mixpay/other", { method: "POST" })));
    expect(unknown).toMatchObject({ code: 11000, status: 404 });
  });
});
