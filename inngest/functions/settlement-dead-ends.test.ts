import { asc, eq, sql } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, auditLog, orderEvents, orders, outbox } from "@/db/schema";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { refundWithoutMixPayRefund } from "@/server/console/dead-end-actions";
import { findMissingMixPayRefunds } from "@/server/settlement/settlement-dead-ends";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { brokerDeps } from "../deps";
import { settleOrderFn } from "./settle-order";
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

const OPERATOR = { id: "0e0e0e0e-0000-4000-8000-000000000002", email: "op@example.test" };
async function paidOrder(amount: string) {
  const o = await insertOrder(store.db, { status: "paid", amount, opponentId: EMULATED_MIXPAY_BOT });
  await store.db.update(orders).set({ walletOrderId: o.id }).where(eq(orders.id, o.id));
  return o;
}
const settle = (orderId: string) =>
  new InngestTestEngine({ function: settleOrderFn }).execute({ events: [{ name: "order/paid", data: { orderId } }] });
const events = async (id: string) =>
  store.db.select().from(orderEvents).where(eq(orderEvents.orderId, id)).orderBy(asc(orderEvents.id));
const statusOf = async (id: string) => (await store.db.select().from(orders).where(eq(orders.id, id)))[0]!.status;
/** Move the order's timeline back in time (instead of waiting the setting out). */
const age = (id: string, minutes: number) =>
  store.db.execute(
    sql`update order_events set created_at = created_at - make_interval(mins => ${minutes}) where order_id = ${id}`,
  );

describe("settlement confirmation does not depend on payments_result alone", () => {
  it("spent on Mixin + MixPay's API does not know the trace + no refund within the setting → settled, with the path on the timeline", async () => {
    const o = await paidOrder("4");
    emu.setPaymentResult(o.traceId, "unknown");
    expect((await settle(o.id)).error).toBeDefined(); // too early: waits for a refund
    expect(await statusOf(o.id)).toBe("settling");
    expect((await events(o.id)).map((e) => e.type)).toContain("settlement.mixpay_unknown");
    await age(o.id, 31); // SETTLEMENT_UNKNOWN_TRACE_WAIT_MINUTES defaults to 30
    expect((await settle(o.id)).result).toMatchObject({ outcome: "settled" });
    const settled = (await events(o.id)).find((e) => e.type === "order.settled")!;
    expect(settled.data).toMatchObject({ path: "mixpay_unknown_no_refund", mixpayStatus: "unknown" });
    expect(emu.settlements().filter((s) => s.traceId === o.traceId)).toHaveLength(1);
  });

  it("MixPay success still settles at once, on the mixpay_success path", async () => {
    const o = await paidOrder("1.5");
    expect((await settle(o.id)).result).toMatchObject({ outcome: "settled" });
    expect((await events(o.id)).find((e) => e.type === "order.settled")!.data).toMatchObject({
      path: "mixpay_success",
    });
  });
});

describe("settling with MixPay failed and no refund is not a dead end", () => {
  it("alerts after the setting, and an operator can refund the end user (audited); a late MixPay refund is then not applied twice", async () => {
    const o = await paidOrder("6");
    emu.setPaymentResult(o.traceId, "failed");
    expect((await settle(o.id)).result).toMatchObject({ outcome: "mixpay_failed" });
    expect((await settle(o.id)).result).toMatchObject({ outcome: "mixpay_failed" }); // a redrive
    expect((await events(o.id)).filter((e) => e.type === "settlement.mixpay_failed")).toHaveLength(1);
    expect(await statusOf(o.id)).toBe("settling");

    const waitMs = 30 * 60_000;
    expect(await findMissingMixPayRefunds(store.db, { now: new Date(), waitMs })).not.toContain(o.id);
    await age(o.id, 31);
    expect(await findMissingMixPayRefunds(store.db, { now: new Date(), waitMs })).toContain(o.id);
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `mixpay_refund_missing:${o.id}`));
    expect(alert).toMatchObject({ kind: "mixpay_refund_missing", severity: "critical", orderId: o.id });

    await expect(refundWithoutMixPayRefund(store.db, OPERATOR, crypto.randomUUID(), "x")).rejects.toThrow();
    expect(await refundWithoutMixPayRefund(store.db, OPERATOR, o.id, "MixPay ticket 42: no refund")).toMatchObject({
      status: "mixpay_refunded",
    });
    expect(
      await store.db
        .select()
        .from(outbox)
        .where(eq(outbox.id, `order.refund/${o.id}`)),
    ).toHaveLength(1);
    const [audit] = await store.db.select().from(auditLog).where(eq(auditLog.targetId, o.id));
    expect(audit).toMatchObject({ action: "settlement.refund_without_mixpay_refund", actorUserId: OPERATOR.id });
    const resolved = (await events(o.id)).find((e) => e.type === "order.mixpay_refund_missing_resolved")!;
    expect(resolved.actor).toBe(`operator:${OPERATOR.id}`);

    // MixPay's refund arrives late after all: recorded and alerted, the order is not refunded twice.
    emu.refund(o.traceId, "40025");
    const polled = await pollSnapshots(store.db, brokerDeps().snapshots, { mixpay: brokerDeps().mixpay });
    expect(polled.outcomes.mixpay_refund).toBeUndefined();
    expect(polled.outcomes.unexplained_refund).toBe(1);
    expect(await statusOf(o.id)).toBe("mixpay_refunded");
  });
});
