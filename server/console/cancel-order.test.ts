import { asc, eq } from "drizzle-orm";
import { TRPCError } from "@trpc/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alerts, auditLog, orderEvents, orders } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { startBinancePayDouble, type BinancePayDouble } from "@/test/doubles/binance/double";
import { createUser, loadSessionUser } from "@/server/auth/users";
import { resetEnvCache } from "@/server/env";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { getAssetsRange } from "@/server/orders/get-assets-range";
import { createCaller } from "@/adapters/trpc/root";
import type { Context } from "@/adapters/trpc/init";
import { submitDemoCheckout } from "@/server/wallets/demo-checkout";
import { createBody, createRequest, envelope, PAYEE } from "@/test/mixpay";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";

/*
 * Operators cancel an open order from the console: the reservation is released at once, the
 * payment is closed at the wallet (the Binance Pay double over HTTP, through the real client),
 * each cancel is audited, and a failed close is on the timeline and alerted, with a retry.
 */
let store: TestStore;
let double: BinancePayDouble;
let operator: ReturnType<typeof createCaller>;
const saved = { ...process.env };

beforeAll(async () => {
  store = await createTestStore();
  double = await startBinancePayDouble();
  Object.assign(process.env, {
    PUBLIC_BASE_URL: "https://broker.example",
    BINANCE_PAY_API_KEY: double.apiKey,
    BINANCE_PAY_SECRET: double.secret,
    BINANCE_PAY_BASE_URL: double.url,
    BINANCE_PAY_WEBHOOK_URL: "http://127.0.0.1:9/unused",
    BINANCE_PAY_TIMEOUT_MS: "1000",
  });
  resetEnvCache();
  const id = await createUser(store.db, { email: "ops@example.test", password: "pw-ops-123456", role: "operator" });
  operator = createCaller({ db: store.db, user: (await loadSessionUser(store.db, id))! } satisfies Context);
});
afterAll(async () => {
  process.env = saved;
  resetEnvCache();
  await double.close();
  await store.cleanup();
});
afterEach(() => double.clearFaults());

async function createOrder(overrides: Record<string, unknown>) {
  const body = createBody(overrides);
  expect((await envelope(await handleCreateOrder(createRequest(body)))).code).toBe(0);
  return (
    await store.db
      .select()
      .from(orders)
      .where(eq(orders.traceId, body.trace_id as string))
  )[0]!;
}
const timeline = async (orderId: string) =>
  (await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.id))).map(
    (e) => e.type,
  );
const usdtMax = async () =>
  (await getAssetsRange(store.db, { payeeId: PAYEE, wallet: "demo" })).find((a) => a.asset_id === DEMO_ASSETS.USDT)!
    .max;
const audits = async (orderId: string) =>
  (await store.db.select().from(auditLog).where(eq(auditLog.targetId, orderId))).map((a) => [a.action, a.actorEmail]);
async function trpcCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof TRPCError ? e.code : String(e);
  }
}

describe("operator cancel of an open order", () => {
  it("releases the squatted reservation, closes at the (demo) wallet, is audited; a later payment becomes paid_late", async () => {
    const before = await usdtMax();
    const squat = await Promise.all(
      [0, 1, 2, 3, 4].map(() =>
        createOrder({ amount: "990", expired_at: String(Math.floor(Date.now() / 1000) + 7000) }),
      ),
    );
    expect(await usdtMax()).toBe("50.00000000");

    for (const o of squat) {
      const r = await operator.operator.cancelOrder({ orderId: o.id });
      expect(r).toMatchObject({ cancelled: true, walletClose: "closed", order: { status: "cancelled" } });
      expect(await timeline(o.id)).toEqual([
        "order.created",
        "wallet.payment_created",
        "order.cancelled_by_operator",
        "wallet.close_requested",
      ]);
      expect(await audits(o.id)).toEqual([["order.cancel", "ops@example.test"]]);
    }
    expect(await usdtMax()).toBe(before);

    // Cancelling again is refused (nothing to retry); a paid order cannot be cancelled.
    expect(await trpcCode(operator.operator.cancelOrder({ orderId: squat[0]!.id }))).toBe("CONFLICT");
    const paid = await insertOrder(store.db, { status: "paid" });
    expect(await trpcCode(operator.operator.cancelOrder({ orderId: paid.id }))).toBe("CONFLICT");
    expect(await trpcCode(operator.operator.cancelOrder({ orderId: crypto.randomUUID() }))).toBe("NOT_FOUND");

    // The end user pays on the demo page anyway: paid late, owed a refund, as after expiry.
    const { order } = await submitDemoCheckout(store.db, squat[1]!.id, "pay", true);
    expect(order.status).toBe("paid_late");
  });

  it("the order's own merchant and anonymous callers cannot cancel it; nothing changes", async () => {
    const o = await createOrder({ amount: "5" });
    const m = await createUser(store.db, {
      email: "payee@example.test",
      password: "pw-m-123456",
      role: "merchant",
      payeeIds: [PAYEE],
    });
    const merchant = createCaller({ db: store.db, user: (await loadSessionUser(store.db, m))! });
    expect(await trpcCode(merchant.operator.cancelOrder({ orderId: o.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(createCaller({ db: store.db, user: null }).operator.cancelOrder({ orderId: o.id }))).toBe(
      "UNAUTHORIZED",
    );
    expect((await store.db.select().from(orders).where(eq(orders.id, o.id)))[0]!.status).toBe("created");
    expect(await audits(o.id)).toEqual([]);
  });

  it("closes a Binance Pay order at Binance (the double sees the close)", async () => {
    const o = await createOrder({ wallet: "binance", amount: "2.5" });
    expect(double.order(o.walletOrderId!)!.status).toBe("INITIAL");
    expect(await operator.operator.cancelOrder({ orderId: o.id })).toMatchObject({
      cancelled: true,
      walletClose: "closed",
    });
    expect(double.order(o.walletOrderId!)!.status).toBe("CANCELED");
    expect(double.requests().some((r) => r.path === "/binancepay/openapi/order/close")).toBe(true);
  });

  it("a failed wallet close is on the timeline and alerted, the order stays cancelled, and cancelling again retries the close", async () => {
    const o = await createOrder({ wallet: "binance", amount: "3" });
    double.setFault({ mode: "5xx", path: "/order/close" });
    const r = await operator.operator.cancelOrder({ orderId: o.id });
    expect(r).toMatchObject({ cancelled: true, walletClose: "failed", order: { status: "cancelled" } });
    expect(await timeline(o.id)).toContain("wallet.close_failed");
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `wallet_close_failed:${o.id}`));
    expect(alert).toMatchObject({ kind: "wallet_close_failed", severity: "critical", orderId: o.id });
    expect(double.order(o.walletOrderId!)!.status).toBe("INITIAL");

    double.clearFaults();
    expect(await operator.operator.cancelOrder({ orderId: o.id })).toMatchObject({
      cancelled: false,
      walletClose: "closed",
    });
    expect(double.order(o.walletOrderId!)!.status).toBe("CANCELED");
    expect((await timeline(o.id)).slice(-2)).toEqual(["wallet.close_failed", "wallet.close_requested"]);
    expect(await audits(o.id)).toEqual([
      ["order.cancel", "ops@example.test"],
      ["order.cancel.retry_wallet_close", "ops@example.test"],
    ]);
    expect(await trpcCode(operator.operator.cancelOrder({ orderId: o.id }))).toBe("CONFLICT");
  });

  it("a user paying at the moment of the cancel: the wallet refuses the close, recorded and alerted", async () => {
    const o = await createOrder({ wallet: "binance", amount: "4" });
    double.setPending(o.walletOrderId!);
    expect(await operator.operator.cancelOrder({ orderId: o.id })).toMatchObject({
      walletClose: "payment_in_progress",
      order: { status: "cancelled" },
    });
    expect(await timeline(o.id)).toContain("wallet.close_refused");
    expect(
      await store.db
        .select()
        .from(alerts)
        .where(eq(alerts.dedupeKey, `wallet_close_refused:${o.id}`)),
    ).toHaveLength(1);
  });
});
