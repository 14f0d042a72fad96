import Decimal from "decimal.js";
import { asc, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, balances, mixinTransfers, orderEvents, orders, outbox } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { syncBalances } from "@/server/balances/sync-balances";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { brokerDeps } from "../deps";
import { refundEndUserFn } from "./refund-end-user";
import { onSettlementRetriesExhausted, settleOrderFn } from "./settle-order";
import { pointBrokerAtEmulator } from "@/test/emulator";

let store: TestStore;
let emu: MixinEmulator;
beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  pointBrokerAtEmulator(emu);
});
afterAll(async () => {
  await emu.close();
  await store.cleanup();
});

async function paidOrder(amount = "2.5") {
  const o = await insertOrder(store.db, {
    status: "paid",
    amount,
    fee: "0.025",
    payAmount: "2.525",
    opponentId: EMULATED_MIXPAY_BOT,
    memo: "bWl4cGF5LW1lbW8=",
  });
  await store.db.update(orders).set({ walletOrderId: o.id }).where(eq(orders.id, o.id));
  return o;
}
const settle = (orderId: string) =>
  new InngestTestEngine({ function: settleOrderFn }).execute({ events: [{ name: "order/paid", data: { orderId } }] });
const timeline = async (id: string) =>
  (await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id)).orderBy(asc(orderEvents.id))).map(
    (e) => e.type,
  );

describe("the money loop through the real Mixin port and the emulator", () => {
  it("settles a paid order to MixPay's bot with its amount, trace_id and memo — once", async () => {
    const o = await paidOrder();
    const { result } = await settle(o.id);
    expect(result).toMatchObject({ orderId: o.id, outcome: "settled" });
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("settled");
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toEqual([
      expect.objectContaining({ amount: "2.5", memo: "bWl4cGF5LW1lbW8=", assetId: DEMO_ASSETS.USDT }),
    ]);
    const [transfer] = await store.db.select().from(mixinTransfers).where(eq(mixinTransfers.orderId, o.id));
    expect(transfer).toMatchObject({ status: "confirmed", requestId: o.traceId });

    // The event again (an operator retry, a duplicate delivery): no second payment.
    const again = await settle(o.id);
    expect(again.result).toMatchObject({ outcome: "already-settled" });
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toHaveLength(1);
    expect(await timeline(o.id)).toEqual(["order.settling", "settlement.transfer_sent", "order.settled"]);
  });

  it("a settlement whose Mixin answer was lost is found on retry, not paid twice", async () => {
    const o = await paidOrder("1");
    emu.setFault({ pattern: "POST /safe/transactions$", mode: "drop-after-commit", count: 1 });
    const first = await settle(o.id);
    expect(first.error).toBeDefined();
    const second = await settle(o.id);
    expect(second.result).toMatchObject({ outcome: "settled" });
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toHaveLength(1);
  });

  it("Mixin answering 500 fails the attempt; the next attempt settles, once", async () => {
    const o = await paidOrder("0.75");
    emu.setFault({ pattern: "^GET /safe/outputs", mode: "500", count: 1 });
    expect((await settle(o.id)).error).toBeDefined();
    const [mid] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(mid!.status).toBe("settling");
    expect((await settle(o.id)).result).toMatchObject({ outcome: "settled" });
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toHaveLength(1);
  });

  it("when retries are exhausted the order is settlement_failed (still reserved) with a critical alert, and a retry settles it", async () => {
    const o = await paidOrder("0.5");
    emu.setFault({ pattern: "^POST /safe/transactions$", mode: "500" });
    expect((await settle(o.id)).error).toBeDefined();
    // What Inngest sends once the function's retries are spent (inngest/function.failed).
    await onSettlementRetriesExhausted({
      event: { data: { event: { data: { orderId: o.id } } } },
      error: { message: "Mixin transfer failed after 10 retries" },
    });
    const [failed] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(failed!.status).toBe("settlement_failed");
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `settlement_failed:${o.id}`));
    expect(alert).toMatchObject({ kind: "settlement_failed", severity: "critical" });
    emu.clearFaults();
    const retry = await new InngestTestEngine({ function: settleOrderFn }).execute({
      events: [{ name: "order/settle.requested", data: { orderId: o.id } }],
    });
    expect(retry.result).toMatchObject({ outcome: "settled" });
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toHaveLength(1);
  });

  it("MixPay's refund (RF|trace_id|40025) is detected from snapshots and the end user is refunded", async () => {
    const o = await paidOrder("3");
    await settle(o.id);
    emu.refund(o.traceId, "40025");
    const polled = await pollSnapshots(store.db, brokerDeps().snapshots);
    expect(polled.outcomes.mixpay_refund).toBe(1);
    const [refunded] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(refunded).toMatchObject({ status: "mixpay_refunded", mixpayRefundCode: "40025" });
    expect(
      (
        await store.db
          .select()
          .from(outbox)
          .where(eq(outbox.id, `order.refund/${o.id}`))
      ).length,
    ).toBe(1);
    // A second poll reads nothing new; nothing is applied twice.
    expect((await pollSnapshots(store.db, brokerDeps().snapshots)).outcomes.mixpay_refund).toBeUndefined();

    const { result } = await new InngestTestEngine({ function: refundEndUserFn }).execute({
      events: [{ name: "order/refund.requested", data: { orderId: o.id } }],
    });
    expect(result).toMatchObject({ outcome: "refunded" });
    expect(await timeline(o.id)).toEqual(
      expect.arrayContaining(["order.settled", "order.mixpay_refunded", "order.refunding", "order.refunded"]),
    );
  });

  it("syncs balances and prices from Mixin into the store", async () => {
    await store.db.update(balances).set({ balance: "0" });
    const r = await syncBalances(store.db, brokerDeps().balances);
    expect(r.synced).toBe(3);
    const [usdt] = await store.db.select().from(balances).where(eq(balances.assetId, DEMO_ASSETS.USDT));
    expect(new Decimal(usdt!.balance).eq(emu.balance(DEMO_ASSETS.USDT))).toBe(true);
    expect(new Decimal(usdt!.balance).lt(5000)).toBe(true); // the settlements above were paid from it
  });
});
