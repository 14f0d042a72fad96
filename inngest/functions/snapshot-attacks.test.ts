import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, mixinSnapshots, orders, outbox, refunds } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { syncBalances } from "@/server/balances/sync-balances";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import { submitDemoCheckout } from "@/server/wallets/demo-checkout";
import { createBody, createRequest, envelope } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import { brokerDeps } from "../deps";
import { settleOrderFn } from "./settle-order";
import { pointBrokerAtEmulator } from "@/test/emulator";

/**
 * Issue 11, finding "forged refund": an attacker who names themself as opponent_id receives the
 * settlement, then sends back dust with memo RF|trace|code. Before the fix the order went
 * mixpay_refunded and the end user (the attacker) was refunded in full.
 */
const ATTACKER = "a77ac4e2-0000-4bad-8bad-000000000001";

let store: TestStore;
let emu: MixinEmulator;
beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  pointBrokerAtEmulator(emu);
  await syncBalances(store.db, brokerDeps().balances);
});
afterAll(async () => {
  await emu.close();
  await store.cleanup();
});

const poll = () => pollSnapshots(store.db, brokerDeps().snapshots, { mixpay: brokerDeps().mixpay });
const orderByTrace = async (traceId: string) =>
  (await store.db.select().from(orders).where(eq(orders.traceId, traceId)))[0]!;

/** create_order over the real route handler, Pay on the demo wallet, the real settle steps against the emulator. */
async function createPayAndSettle(opponentId: string, amount: string) {
  const body = createBody({ amount, opponent_id: opponentId, asset_id: DEMO_ASSETS.USDT });
  const created = await envelope(await handleCreateOrder(createRequest(body)));
  expect(created.code).toBe(0);
  const order = await orderByTrace(body.trace_id as string);
  await submitDemoCheckout(store.db, order.id, "pay", true);
  await new InngestTestEngine({ function: settleOrderFn }).execute({
    events: [{ name: "order/paid", data: { orderId: order.id } }],
  });
  return orderByTrace(order.traceId);
}

describe("forged MixPay refunds change no order", () => {
  it("the attacker's dust with an RF memo for their own order: order unchanged, alert raised, no end-user refund", async () => {
    const order = await createPayAndSettle(ATTACKER, "100");
    expect(order.status).toBe("settling"); // the emulated MixPay never received it: no success
    const out = emu.snapshots().find((s) => s.trace_id === order.traceId);
    expect(out).toMatchObject({ opponent_id: ATTACKER, amount: "-100" }); // the attacker got the settlement

    const dust = emu.receive({
      assetId: DEMO_ASSETS.USDT,
      amount: "0.00000001",
      memo: `RF|${order.traceId}|40025`,
      from: ATTACKER,
    });
    const polled = await poll();
    expect(polled.outcomes.mixpay_refund).toBeUndefined();
    expect(polled.outcomes.unexplained_refund).toBe(1);

    expect((await orderByTrace(order.traceId)).status).toBe("settling");
    expect(
      await store.db
        .select()
        .from(outbox)
        .where(eq(outbox.id, `order.refund/${order.id}`)),
    ).toHaveLength(0);
    expect(await store.db.select().from(refunds).where(eq(refunds.orderId, order.id))).toHaveLength(0);
    const [snap] = await store.db.select().from(mixinSnapshots).where(eq(mixinSnapshots.snapshotId, dust.snapshot_id));
    expect(snap).toMatchObject({ kind: "unexplained", orderId: null });
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `unexplained_transfer:${dust.snapshot_id}`));
    expect(alert!.message).toContain("amount 0.00000001 is not the settled amount 100");
  });

  it("the attacker returning the exact amount is still refused while MixPay says the trace is not failed", async () => {
    const order = await createPayAndSettle(ATTACKER, "50");
    const back = emu.receive({
      assetId: DEMO_ASSETS.USDT,
      amount: "50",
      memo: `RF|${order.traceId}|40025`,
      from: ATTACKER,
    });
    expect((await poll()).outcomes.unexplained_refund).toBe(1);
    expect((await orderByTrace(order.traceId)).status).toBe("settling");
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `unexplained_transfer:${back.snapshot_id}`));
    expect(alert!.message).toContain(`MixPay's payment result for the trace is "unpaid"`);
  });

  it("dust with an empty sender does not flip a legitimately settled order; MixPay's own refund still does, once", async () => {
    const order = await createPayAndSettle(emu.mixpayBotId, "20");
    expect(order.status).toBe("settled");
    emu.receive({ assetId: DEMO_ASSETS.USDT, amount: "0.00000001", memo: `RF|${order.traceId}|40025`, from: "" });
    expect((await poll()).outcomes.unexplained_refund).toBe(1);
    expect((await orderByTrace(order.traceId)).status).toBe("settled");

    emu.refund(order.traceId, "40025");
    expect((await poll()).outcomes.mixpay_refund).toBe(1);
    expect((await orderByTrace(order.traceId)).status).toBe("mixpay_refunded");
    // The same refund sent a second time (a new snapshot) is not a second refund.
    emu.receive({ assetId: DEMO_ASSETS.USDT, amount: "20", memo: `RF|${order.traceId}|40025`, from: emu.mixpayBotId });
    const again = await poll();
    expect(again.outcomes.unexplained_refund).toBe(1);
    expect(
      await store.db
        .select()
        .from(outbox)
        .where(eq(outbox.id, `order.refund/${order.id}`)),
    ).toHaveLength(1);
  });
});

describe("a poisoned snapshot does not stall the watcher", () => {
  it("a memo with a NUL byte is stored as hex (no text) and a later MixPay refund is still applied", async () => {
    const order = await createPayAndSettle(emu.mixpayBotId, "7");
    expect(order.status).toBe("settled");
    const poison = emu.receive({ assetId: DEMO_ASSETS.USDT, amount: "0.1", memo: "hi\u0000there", from: ATTACKER });
    expect((await poll()).outcomes.top_up).toBe(1);
    const [row] = await store.db.select().from(mixinSnapshots).where(eq(mixinSnapshots.snapshotId, poison.snapshot_id));
    expect(row).toMatchObject({ memoHex: Buffer.from("hi\u0000there").toString("hex"), memoText: null });

    emu.refund(order.traceId, "40000");
    expect((await poll()).outcomes.mixpay_refund).toBe(1);
    expect((await orderByTrace(order.traceId)).status).toBe("mixpay_refunded");
  });
});
