import Decimal from "decimal.js";
import { and, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, assets, balances, mixinSnapshots, orderEvents, orders, syncCursors } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { refundMemoBase64 } from "@/server/mixin/memo";
import { SNAPSHOT_CURSOR } from "@/server/snapshots/process-snapshots";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { settleOrderFn } from "./settle-order";
import { SYNC_PASSES, syncBalancesFn } from "./sync-balances";
import { WATCH_PASSES, watchSnapshotsFn } from "./watch-snapshots";
import { pointBrokerAtEmulator } from "@/test/emulator";

/** The two ~10 s loops (sync-balances, watch-snapshots) run through @inngest/test against the Mixin emulator. */
let store: TestStore;
let emu: MixinEmulator;
beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  // No Inngest server in unit tests: the outbox dispatch is deferred (the relay re-sends it).
  pointBrokerAtEmulator(emu, { INNGEST_BASE_URL: "http://127.0.0.1:9", INNGEST_DEV: "1" });
});
afterAll(async () => {
  await emu.close();
  await store.cleanup();
});

const cron = [{ name: "inngest/scheduled.timer", data: {} }] as [{ name: string; data: Record<string, unknown> }];
/** @inngest/test cannot run past a real step.sleep, so the pauses are mocked as already elapsed. */
const pauses = (passes: number) =>
  Array.from({ length: passes - 1 }, (_, i) => ({ id: `pause-${i}`, handler: () => undefined }));
const watch = () =>
  new InngestTestEngine({ function: watchSnapshotsFn }).execute({ events: cron, steps: pauses(WATCH_PASSES) });

describe("watch-snapshots", () => {
  it("applies MixPay's refund once, and a re-read of the same snapshots changes nothing", async () => {
    const o = await insertOrder(store.db, { status: "paid", opponentId: EMULATED_MIXPAY_BOT });
    expect(
      (
        await new InngestTestEngine({ function: settleOrderFn }).execute({
          events: [{ name: "order/paid", data: { orderId: o.id } }],
        })
      ).result,
    ).toMatchObject({ outcome: "settled" });
    emu.refund(o.traceId, "40025");
    const first = await watch();
    expect(first.error).toBeUndefined();
    expect((first.result as { read: number }).read).toBeGreaterThanOrEqual(1);
    const [refunded] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(refunded).toMatchObject({ status: "mixpay_refunded", mixpayRefundCode: "40025" });

    // A duplicate delivery: the cursor is lost and every snapshot is read again.
    await store.db.delete(syncCursors).where(eq(syncCursors.name, SNAPSHOT_CURSOR));
    const again = await watch();
    expect((again.result as { read: number }).read).toBeGreaterThanOrEqual(1);
    const events = await store.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, o.id), eq(orderEvents.type, "order.mixpay_refunded")));
    expect(events).toHaveLength(1);
    const stored = await store.db.select().from(mixinSnapshots);
    expect(new Set(stored.map((s) => s.snapshotId)).size).toBe(stored.length);
  });

  it("a refund memo for an unknown trace id touches no order and raises an alert", async () => {
    const before = await store.db.select({ id: orders.id, status: orders.status }).from(orders);
    const unknown = crypto.randomUUID();
    emu.receive({ assetId: DEMO_ASSETS.USDT, amount: "1", memo: refundMemoBase64(unknown, "40025") });
    expect((await watch()).error).toBeUndefined();
    expect(await store.db.select({ id: orders.id, status: orders.status }).from(orders)).toEqual(before);
    const raised = await store.db.select().from(alerts);
    expect(raised.some((a) => a.message.includes(unknown))).toBe(true);
  });
});

describe("sync-balances", () => {
  it("syncs on every pass, and a balance under its threshold raises one low-balance alert", async () => {
    await store.db.update(balances).set({ balance: "0", syncedAt: null });
    // Above what the emulated bot holds in BTC: the sync must flag it.
    await store.db.update(assets).set({ lowBalanceThreshold: "1000000" }).where(eq(assets.assetId, DEMO_ASSETS.BTC));
    const { result, error } = await new InngestTestEngine({ function: syncBalancesFn }).execute({
      events: cron,
      steps: pauses(SYNC_PASSES),
    });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ synced: 3, lowBalance: [DEMO_ASSETS.BTC] });
    const [btc] = await store.db.select().from(balances).where(eq(balances.assetId, DEMO_ASSETS.BTC));
    expect(new Decimal(emu.balance(DEMO_ASSETS.BTC)).gt(0)).toBe(true);
    expect(new Decimal(btc!.balance).eq(emu.balance(DEMO_ASSETS.BTC))).toBe(true);
    expect(btc!.syncedAt).toBeInstanceOf(Date);
    const low = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `low_balance:${DEMO_ASSETS.BTC}`));
    expect(low).toHaveLength(1);
    expect(low[0]!.occurrences).toBe(SYNC_PASSES);
  });
});
