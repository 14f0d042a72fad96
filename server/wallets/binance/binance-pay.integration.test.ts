import { and, asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alerts, orderEvents, orders, outboundAttempts, outbox, refunds, walletWebhookReceipts } from "@/db/schema";
import { startBinancePayDouble, type BinancePayDouble } from "@/test/doubles/binance/double";
import { serveRouteHandler } from "@/test/doubles/binance/route-server";
import { POST as webhookRoute } from "@/app/api/webhooks/binance/route";
import { resetEnvCache } from "@/server/env";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { transitionOrder } from "@/server/orders/transition-order";
import { refundEndUser, refundRequestIdFor } from "@/server/refunds/refund-end-user";
import { createBody, createRequest, envelope } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import { binancePay, walletProvider } from "../registry";
import { describeWalletProviders } from "../describe-wallet-providers";
import { ordersToReconcile, reconcileBinancePay } from "./reconcile-binance-pay";
import { handleBinanceWebhook } from "./webhook";

/*
 * The Binance Pay adapter end to end over HTTP: the broker's real client calls the Binance Pay
 * double, and the double posts signed notifications to the broker's real webhook route.
 */
const BROKER = "https://broker.example";
const SUCCESS = { returnCode: "SUCCESS", returnMessage: null };
let store: TestStore;
let double: BinancePayDouble;
let webhook: Awaited<ReturnType<typeof serveRouteHandler>>;
const saved = { ...process.env };

beforeAll(async () => {
  store = await createTestStore();
  double = await startBinancePayDouble();
  webhook = await serveRouteHandler(webhookRoute, "/api/webhooks/binance");
  Object.assign(process.env, {
    PUBLIC_BASE_URL: BROKER,
    BINANCE_PAY_API_KEY: double.apiKey,
    BINANCE_PAY_SECRET: double.secret,
    BINANCE_PAY_BASE_URL: double.url,
    BINANCE_PAY_WEBHOOK_URL: webhook.url,
    BINANCE_PAY_TIMEOUT_MS: "1000",
  });
  resetEnvCache();
});
afterAll(async () => {
  process.env = saved;
  resetEnvCache();
  await webhook.close();
  await double.close();
  await store.cleanup();
});
afterEach(() => double.clearFaults());

interface Links {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

async function createBinanceOrder(overrides: Record<string, unknown> = {}) {
  const body = createBody({ wallet: "binance", amount: "2.5", ...overrides });
  const r = await envelope<Links>(await handleCreateOrder(createRequest(body)));
  const [order] = await store.db
    .select()
    .from(orders)
    .where(eq(orders.traceId, body.trace_id as string));
  return { r, order: order!, body };
}

const timeline = async (orderId: string) =>
  (await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.id))).map(
    (e) => e.type,
  );
const orderRow = async (orderId: string) => (await store.db.select().from(orders).where(eq(orders.id, orderId)))[0]!;
const outboxOf = async (orderId: string) =>
  (await store.db.select().from(outbox)).filter((e) => (e.data as { orderId?: string }).orderId === orderId);

describe("Binance Pay: create_order → pay → webhook → paid → settlement", () => {
  it("creates the Binance order, stores its links, and a verified webhook (re-queried) marks the order paid and queues settlement", async () => {
    const { r, order, body } = await createBinanceOrder();
    expect(r.code).toBe(0);
    expect(order.walletProvider).toBe("binance");
    const at = double.order(order.walletOrderId!)!;
    // merchantTradeNo: the order id without hyphens (letters and digits, 32).
    expect(order.walletTradeNo).toBe(order.id.replace(/-/g, ""));
    expect(at).toMatchObject({
      merchantTradeNo: order.walletTradeNo,
      orderAmount: "2.52500000", // amount 2.5 + 1% fee
      currency: "USDT",
      returnUrl: `${BROKER}/r/${order.id}`,
      webhookUrl: webhook.url,
      expireTime: Number(body.expired_at) * 1000,
      status: "INITIAL",
    });
    expect(r.data.checkout_url).toBe(`${double.url}/en/checkout/${at.token}`);
    expect(r.data.deep_link).toMatch(/^bnc:\/\/app\.binance\.com\/payment\/secpay\?tempToken=/);
    expect(r.data.universal_url).toMatch(new RegExp(`^${double.url}/payment/secpay\\?linkToken=`));
    expect(order).toMatchObject({
      checkoutUrl: r.data.checkout_url,
      deepLink: r.data.deep_link,
      universalUrl: r.data.universal_url,
    });

    const paid = await double.pay(order.walletOrderId!);
    expect(paid.webhook).toMatchObject({ status: 200, bizStatus: "PAY_SUCCESS" });
    expect(JSON.parse(paid.webhook!.response)).toEqual(SUCCESS);
    expect((await orderRow(order.id)).status).toBe("paid");
    expect(await timeline(order.id)).toEqual([
      "order.created",
      "wallet.payment_created",
      "wallet.notified",
      "wallet.paid",
    ]);
    expect((await outboxOf(order.id)).map((e) => [e.id, e.name])).toEqual([[`order.paid/${order.id}`, "order/paid"]]);
    // The webhook was a hint: the broker queried the order before acting; every request was signed correctly.
    expect(double.requests().map((q) => q.path)).toContain("/binancepay/openapi/v2/order/query");
    expect(double.requests().every((q) => q.signatureValid)).toBe(true);

    // A repeat of create_order answers the stored links without a second Binance order.
    const again = await envelope<Links>(await handleCreateOrder(createRequest(body)));
    expect(again.data).toEqual(r.data);
    expect(double.orders().filter((o) => o.passThroughInfo?.includes(order.id))).toHaveLength(1);
  });

  it("a duplicate delivery (same nonce) is acknowledged and not applied; a re-signed repeat changes nothing", async () => {
    const { order } = await createBinanceOrder();
    await double.pay(order.walletOrderId!);
    const before = await timeline(order.id);
    const queriesBefore = double.requests().length;

    const dup = await double.resendWebhook(order.walletOrderId!);
    expect(dup).toMatchObject({ status: 200 });
    expect(JSON.parse(dup!.response)).toEqual(SUCCESS);
    expect(await timeline(order.id)).toEqual(before);
    expect(double.requests().length).toBe(queriesBefore); // a replay is not even re-queried

    const retry = await double.resendWebhook(order.walletOrderId!, { fresh: true });
    expect(retry).toMatchObject({ status: 200 });
    expect(await timeline(order.id)).toEqual([...before, "wallet.notified", "wallet.duplicate_notice"]);
    expect((await orderRow(order.id)).status).toBe("paid");
    expect(await outboxOf(order.id)).toHaveLength(1);
    const receipts = await store.db
      .select()
      .from(walletWebhookReceipts)
      .where(eq(walletWebhookReceipts.bizId, order.walletOrderId!));
    expect(receipts).toHaveLength(2);
  });

  it("refuses forged, tampered and stale notifications and changes nothing", async () => {
    const { order } = await createBinanceOrder();
    double.setFault({ mode: "bad-signature", count: 1 });
    const forged = await double.pay(order.walletOrderId!);
    expect(forged.webhook).toMatchObject({ status: 401 });
    expect(JSON.parse(forged.webhook!.response)).toMatchObject({ returnCode: "FAIL" });
    expect((await orderRow(order.id)).status).toBe("created");
    expect(await timeline(order.id)).toEqual(["order.created", "wallet.payment_created"]);

    // A correctly signed notification with one byte changed.
    const good = await double.resendWebhook(order.walletOrderId!, { fresh: true });
    expect(good!.status).toBe(200);
    const tampered = await fetch(webhook.url, {
      method: "POST",
      headers: good!.headers,
      body: good!.body.replace('"PAY_SUCCESS"', '"PAY_CLOSED"'),
    });
    expect(tampered.status).toBe(401);
    // An unknown certificate serial.
    const unknownSerial = await fetch(webhook.url, {
      method: "POST",
      headers: { ...good!.headers, "BinancePay-Certificate-SN": "0".repeat(32) },
      body: good!.body,
    });
    expect(unknownSerial.status).toBe(401);
    // An absurdly large body is refused before any work.
    const huge = await fetch(webhook.url, {
      method: "POST",
      headers: good!.headers,
      body: `${good!.body}${" ".repeat(70_000)}`,
    });
    expect(huge.status).toBe(413);
    // The genuine bytes, replayed after the freshness window.
    const pay = binancePay()!;
    const stale = await handleBinanceWebhook(
      store.db,
      { headers: new Headers(good!.headers), rawBody: good!.body },
      { ...pay, now: () => Date.now() + pay.wallet.config.webhookToleranceMs + 1000 },
    );
    expect(stale).toMatchObject({ status: 400, outcome: "stale" });
    expect((await orderRow(order.id)).status).toBe("paid");
    expect(await outboxOf(order.id)).toHaveLength(1);
  });
});

describe("Binance Pay: the query reconciler and close at expiry", () => {
  it("a lost webhook is recovered by the reconciler's query", async () => {
    const { order } = await createBinanceOrder();
    double.setFault({ mode: "no-webhook", count: 1 });
    const r = await double.pay(order.walletOrderId!);
    expect(r.webhook).toMatchObject({ suppressed: true, status: 0 });
    expect((await orderRow(order.id)).status).toBe("created");

    const result = await reconcileBinancePay(store.db, binancePay()!.wallet, { quietMs: 0 });
    expect(result.paid).toBeGreaterThanOrEqual(1);
    expect((await orderRow(order.id)).status).toBe("paid");
    expect((await outboxOf(order.id)).map((e) => e.name)).toEqual(["order/paid"]);
    // A second pass finds nothing more to do for it.
    await reconcileBinancePay(store.db, binancePay()!.wallet, { quietMs: 0 });
    expect(await outboxOf(order.id)).toHaveLength(1);
  });

  it("closes an unpaid order at expiry after querying it, but not while a payment is under way", async () => {
    const unpaid = (await createBinanceOrder()).order;
    const paying = (await createBinanceOrder()).order;
    double.setPending(paying.walletOrderId!);
    double.setFault({ mode: "no-webhook" });
    const afterExpiry = new Date(Math.max(unpaid.expiredAt.getTime(), paying.expiredAt.getTime()) + 1000);
    const result = await reconcileBinancePay(store.db, binancePay()!.wallet, { now: afterExpiry, quietMs: 0 });
    expect(double.order(unpaid.walletOrderId!)!.status).toBe("CANCELED");
    expect(double.order(paying.walletOrderId!)!.status).toBe("PENDING");
    expect(result.closed).toBeGreaterThanOrEqual(1);
    expect(await timeline(unpaid.id)).toContain("wallet.close_requested");
    expect(await timeline(paying.id)).not.toContain("wallet.close_requested");
    // Query first: only the unpaid one was asked to close.
    expect(double.requests().filter((q) => q.path === "/binancepay/openapi/order/close")).toHaveLength(1);
    // Had the payment started between query and close, Binance refuses the close (400204).
    expect(await binancePay()!.wallet.closePayment(paying.walletOrderId!)).toBe("payment_in_progress");
    expect(double.requests().at(-1)).toMatchObject({ path: "/binancepay/openapi/order/close", code: "400204" });
    // Once expired here and final at Binance, the order is not queried again.
    expect((await orderRow(unpaid.id)).walletStatus).toBe("INITIAL");
    await reconcileBinancePay(store.db, binancePay()!.wallet, { now: afterExpiry, quietMs: 0 });
    expect((await orderRow(unpaid.id)).walletStatus).toBe("CANCELED");
    await expireDueOrders(store.db, afterExpiry);
    expect((await orderRow(unpaid.id)).status).toBe("expired");
    const due = await ordersToReconcile(store.db, { now: afterExpiry, quietMs: 0, lookbackMs: 7_200_000, limit: 1000 });
    expect(due.map((o) => o.id)).not.toContain(unpaid.id);
    double.clearFaults();
    // The payment under way completes after the broker expired the order: not lost, but paid late
    // (the end user is refunded), as with the demo wallet.
    const done = await double.pay(paying.walletOrderId!);
    expect(done.webhook).toMatchObject({ status: 200 });
    expect((await orderRow(paying.id)).status).toBe("paid_late");
    expect((await outboxOf(paying.id)).map((e) => e.name)).toEqual(["order/refund.requested"]);
  });
});

describe("Binance Pay: create failures", () => {
  it("a create that times out with an unknown result is closed and re-created under a new trade number", async () => {
    double.setFault({ mode: "timeout", path: "/binancepay/openapi/v3/order", count: 1, delayMs: 1500 });
    const { r, order } = await createBinanceOrder();
    expect(r.code).toBe(0);
    const mine = double.orders().filter((o) => o.passThroughInfo?.includes(order.id));
    expect(mine.map((o) => [o.merchantTradeNo, o.status])).toEqual([
      [order.id.replace(/-/g, ""), "CANCELED"],
      [`${order.id.replace(/-/g, "").slice(0, 30)}r1`, "INITIAL"],
    ]);
    expect(order.walletTradeNo).toBe(mine[1]!.merchantTradeNo);
    expect(order.walletOrderId).toBe(mine[1]!.prepayId);
  });

  it("Binance Pay down: create_order answers 11002 and the cause is on the order's timeline", async () => {
    double.setFault({ mode: "5xx", path: "/binancepay/openapi/v3/order" });
    const { r, order } = await createBinanceOrder();
    expect(r).toMatchObject({ code: 11002, success: false, status: 200 });
    expect(order.status).toBe("failed");
    const [failed] = await store.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.type, "wallet.create_failed")));
    expect(failed!.message).toMatch(/Binance Pay HTTP_503/);
  });

  it("an asset with no Binance currency configured answers 11002", async () => {
    process.env.BINANCE_PAY_ASSET_CURRENCIES = "4d8c508b-91c5-375b-92b0-ee702ed2dac5:USDT";
    resetEnvCache();
    try {
      const { r, order } = await createBinanceOrder({
        asset_id: "43d61dcd-e413-450d-80b8-101d5e903357",
        amount: "0.001",
      });
      expect(r.code).toBe(11002);
      expect(order.statusReason).toMatch(/no Binance Pay currency is configured/);
    } finally {
      delete process.env.BINANCE_PAY_ASSET_CURRENCIES;
      resetEnvCache();
    }
  });
});

describe("Binance Pay: order lifetime and commission", () => {
  it("clamps orderExpireTime to Binance's maximum (1 h) while the order keeps MixPay's expired_at", async () => {
    // Two hours (the broker's own cap, MIXPAY_MAX_EXPIRY_SECONDS) is still past Binance's one hour.
    const expiredAt = Math.floor(Date.now() / 1000) + 7_100;
    const before = Date.now();
    const { r, order } = await createBinanceOrder({ expired_at: String(expiredAt) });
    expect(r.code).toBe(0);
    expect(order.expiredAt.getTime()).toBe(expiredAt * 1000);
    const at = double.order(order.walletOrderId!)!;
    expect(at.expireTime).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(at.expireTime).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it("Binance (the double) refuses an orderExpireTime beyond its maximum, as the unclamped adapter would have hit", async () => {
    const e = await binancePay()!
      .wallet.client.createOrder({
        env: { terminalType: "WEB" },
        merchantTradeNo: `x${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`,
        orderAmount: "1.00000000",
        currency: "USDT",
        description: "too long",
        goodsDetails: [{ goodsType: "02", goodsCategory: "Z000", referenceGoodsId: "x", goodsName: "x" }],
        orderExpireTime: Date.now() + 2 * 3_600_000,
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ binanceCode: "400102" });
    expect((e as Error).message).toMatch(/orderExpireTime/);
  });

  it("reports Binance's commission on the payment (query → wallet.paid event) and credits the merchant net", async () => {
    const { order } = await createBinanceOrder();
    const balanceBefore = double.balance("USDT");
    await double.pay(order.walletOrderId!);
    expect(double.order(order.walletOrderId!)!.commission).toBe("0.00252500"); // 0.1% of 2.525
    const [paid] = await store.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.type, "wallet.paid")));
    expect(paid!.data).toMatchObject({ commission: "0.00252500", orderAmount: "2.52500000" });
    expect(Number(double.balance("USDT")) - Number(balanceBefore)).toBeCloseTo(2.522475, 8);
    const notice = double.webhooks().find((w) => w.prepayId === order.walletOrderId && w.bizType === "PAY")!;
    expect(JSON.parse(JSON.parse(notice.body).data as string)).toMatchObject({ commission: 0.002525 });
  });
});

describe("Binance Pay: refunds", () => {
  /** An order the end user paid after the broker had expired it: paid late, refund owed. */
  async function paidLateOrder() {
    const { order } = await createBinanceOrder();
    await transitionOrder(store.db, { orderId: order.id, from: "created", to: "expired", actor: "test" });
    const r = await double.pay(order.walletOrderId!);
    expect(r.webhook).toMatchObject({ status: 200 });
    const row = await orderRow(order.id);
    expect(row.status).toBe("paid_late");
    expect((await outboxOf(order.id)).map((e) => e.name)).toEqual(["order/refund.requested"]);
    return row;
  }

  it("a refund whose answer was lost is retried with the same refundRequestId; PENDING at Binance, it completes through reconciliation, once", async () => {
    const order = await paidLateOrder();
    double.setFault({ mode: "timeout", path: "/binancepay/openapi/order/refund", count: 1, delayMs: 1500 });
    await expect(refundEndUser(store.db, order.id, (k) => walletProvider(k as "binance"))).rejects.toThrow(/TIMEOUT/);
    expect((await orderRow(order.id)).status).toBe("refunding");
    // Binance answers refunds PENDING (the double's default, as Binance): the order stays refunding.
    expect(await refundEndUser(store.db, order.id, (k) => walletProvider(k as "binance"))).toBe("processing");
    expect((await orderRow(order.id)).status).toBe("refunding");

    // It succeeds at Binance but its notification is lost: the reconciler's refund query finishes it.
    expect(await double.completeRefund(refundRequestIdFor(order.id), { notify: false })).toBeUndefined();
    const pass = await reconcileBinancePay(store.db, binancePay()!.wallet, { quietMs: 0 });
    expect(pass.refunded).toBeGreaterThanOrEqual(1);

    const atDouble = double.refunds().filter((r) => r.prepayId === order.walletOrderId);
    expect(atDouble).toHaveLength(1);
    expect(atDouble[0]).toMatchObject({
      refundRequestId: refundRequestIdFor(order.id),
      refundAmount: "2.52500000",
      calls: 2,
      refundStatus: "REFUND_SUCCESS",
    });
    expect(double.order(order.walletOrderId!)!.refundedAmount).toBe("2.52500000");
    const attempts = await store.db.select().from(outboundAttempts).where(eq(outboundAttempts.orderId, order.id));
    expect(attempts.map((a) => [a.idempotencyKey, a.outcome])).toEqual([
      [refundRequestIdFor(order.id), "failed"],
      [refundRequestIdFor(order.id), "succeeded"],
    ]);
    expect((await orderRow(order.id)).status).toBe("refunded");
    expect(await refundEndUser(store.db, order.id, (k) => walletProvider(k as "binance"))).toBe("already_refunded");
  });

  it("a refund still processing at Binance completes through the refund notification", async () => {
    const order = await paidLateOrder();
    {
      expect(await refundEndUser(store.db, order.id, (k) => walletProvider(k as "binance"))).toBe("processing");
      expect((await orderRow(order.id)).status).toBe("refunding");
      const notified = await double.completeRefund(refundRequestIdFor(order.id));
      expect(notified).toMatchObject({ status: 200, bizType: "PAY_REFUND", bizStatus: "REFUND_SUCCESS" });
      const row = await orderRow(order.id);
      expect(row.status).toBe("refunded");
      const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, order.id));
      expect(refund!.status).toBe("succeeded");
      expect(await timeline(order.id)).toContain("wallet.refund_notified");
    }
  });

  it("too little in the broker's Binance balance is its own error and raises an alert", async () => {
    const order = await paidLateOrder();
    double.setBalance("USDT", "1");
    try {
      await expect(refundEndUser(store.db, order.id, (k) => walletProvider(k as "binance"))).rejects.toThrow(
        /insufficient binance balance/,
      );
      const [refund] = await store.db.select().from(refunds).where(eq(refunds.orderId, order.id));
      expect(refund!.lastError).toMatch(/Binance Pay balance cannot cover 2.525/);
      const [alert] = await store.db.select().from(alerts).where(eq(alerts.kind, "wallet_balance_insufficient"));
      expect(alert).toMatchObject({ severity: "critical", orderId: order.id });
      expect(double.refunds().filter((r) => r.prepayId === order.walletOrderId)).toHaveLength(0);
    } finally {
      double.setBalance("USDT", "100000");
    }
  });
});

describe("describeWalletProviders", () => {
  it("says the binance wallet is served by Binance Pay when configured, and by the demo wallet otherwise", async () => {
    const configured = await describeWalletProviders(store.db);
    expect(configured.find((w) => w.wallet === "binance")).toMatchObject({
      provider: "binance",
      servedBy: "binance",
      summary: `Binance Pay at ${double.url}`,
    });
    expect(configured.find((w) => w.wallet === "demo")).toMatchObject({ provider: "demo", servedBy: "demo" });
    const key = process.env.BINANCE_PAY_API_KEY;
    const secret = process.env.BINANCE_PAY_SECRET;
    delete process.env.BINANCE_PAY_API_KEY;
    delete process.env.BINANCE_PAY_SECRET;
    resetEnvCache();
    try {
      const unconfigured = await describeWalletProviders(store.db);
      expect(unconfigured.find((w) => w.wallet === "binance")).toMatchObject({ provider: "binance", servedBy: "demo" });
      expect(JSON.stringify(unconfigured)).not.toContain(double.secret);
      // …and create_order then uses the demo checkout.
      const { r, order } = await createBinanceOrder();
      expect(r.code).toBe(0);
      expect(order.walletProvider).toBe("demo");
      expect(r.data.checkout_url).toBe(`${BROKER}/checkout/${order.id}`);
    } finally {
      process.env.BINANCE_PAY_API_KEY = key;
      process.env.BINANCE_PAY_SECRET = secret;
      resetEnvCache();
    }
  });
});
