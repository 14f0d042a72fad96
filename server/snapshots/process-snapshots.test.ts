import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { alerts, mixinSnapshots, mixinTransfers, orderEvents, orders, outbox } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { processSnapshot, processSnapshots, type IncomingSnapshot } from "./process-snapshots";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

function snapshot(over: Partial<IncomingSnapshot>): IncomingSnapshot {
  return {
    snapshotId: crypto.randomUUID(),
    assetId: "4d8c508b-91c5-375b-92b0-ee702ed2dac5",
    amount: "1",
    opponentId: null,
    requestId: null,
    transactionHash: null,
    memoHex: "",
    memoText: "",
    refund: null,
    createdAt: new Date().toISOString(),
    ...over,
  };
}

/** An order the broker settled: its transfer of `amount` to opponent_id was sent. */
async function settledOrder(amount = "1", status: "settled" | "settling" = "settled") {
  const o = await insertOrder(store.db, { status, amount });
  await store.db.insert(mixinTransfers).values({
    orderId: o.id,
    requestId: o.traceId,
    assetId: o.assetId,
    amount,
    opponentId: o.opponentId,
    memo: o.memo,
    status: "sent",
  });
  return o;
}
const statusOf = async (id: string) => (await store.db.select().from(orders).where(eq(orders.id, id)))[0]!.status;
const alertFor = async (snapshotId: string) =>
  (
    await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `unexplained_transfer:${snapshotId}`))
  )[0];

describe("processSnapshot", () => {
  it("marks an order refunded by MixPay with the reason, once, and asks for the user refund", async () => {
    const o = await settledOrder("1");
    const s = snapshot({ amount: "1", opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, s, new Map([[o.traceId, "failed"]]))).toBe("mixpay_refund");
    expect(await processSnapshot(store.db, s)).toBe("duplicate");
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row).toMatchObject({ status: "mixpay_refunded", mixpayRefundCode: "40025" });
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id));
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain("Too much market volatility.");
    expect(
      await store.db
        .select()
        .from(outbox)
        .where(eq(outbox.id, `order.refund/${o.id}`)),
    ).toHaveLength(1);
  });

  it("does not let a refund memo for an unknown trace touch any order, and alerts", async () => {
    const s = snapshot({ refund: { traceId: crypto.randomUUID(), code: "40000" } });
    expect(await processSnapshot(store.db, s)).toBe("unexplained_refund");
    expect((await alertFor(s.snapshotId))!.message).toContain("names no order");
  });

  it.each([
    [
      "a sender other than the order's opponent_id",
      () => ({ opponentId: crypto.randomUUID() }),
      "is not the order's opponent_id",
    ],
    ["an empty sender", () => ({ opponentId: null }), "the sender is empty"],
    [
      "dust",
      (o: { opponentId: string }) => ({ opponentId: o.opponentId, amount: "0.00000001" }),
      "is not the settled amount",
    ],
    [
      "more than was settled",
      (o: { opponentId: string }) => ({ opponentId: o.opponentId, amount: "2" }),
      "is not the settled amount",
    ],
    [
      "another asset",
      (o: { opponentId: string }) => ({ opponentId: o.opponentId, assetId: "c6d0c728-2624-429b-8e0d-d9d19b6592fa" }),
      "is not the order's asset",
    ],
  ])(
    "refuses %s: no order change, an unexplained transfer with an alert saying what did not match",
    async (_, over, reason) => {
      const o = await settledOrder("1");
      const s = snapshot({ amount: "1", refund: { traceId: o.traceId, code: "40025" }, ...over(o) });
      expect(await processSnapshot(store.db, s)).toBe("unexplained_refund");
      expect(await statusOf(o.id)).toBe("settled");
      const [row] = await store.db.select().from(mixinSnapshots).where(eq(mixinSnapshots.snapshotId, s.snapshotId));
      expect(row).toMatchObject({ kind: "unexplained", orderId: null });
      expect(row!.issue).toContain(reason);
      expect((await alertFor(s.snapshotId))!.message).toContain(reason);
    },
  );

  it("refuses a refund of an order the broker never settled, and one MixPay reports as paid", async () => {
    const unsent = await insertOrder(store.db, { status: "settling" });
    const a = snapshot({ opponentId: unsent.opponentId, refund: { traceId: unsent.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, a)).toBe("unexplained_refund");
    expect((await alertFor(a.snapshotId))!.message).toContain("never sent this order's settlement");

    const paid = await settledOrder("1");
    const b = snapshot({ opponentId: paid.opponentId, refund: { traceId: paid.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, b, new Map([[paid.traceId, "success"]]))).toBe("unexplained_refund");
    expect(await statusOf(paid.id)).toBe("settled");
    // MixPay unreachable or not knowing the trace: the sender, asset and exact amount decide.
    const c = snapshot({ opponentId: paid.opponentId, refund: { traceId: paid.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, c, new Map([[paid.traceId, "unavailable"]]))).toBe("mixpay_refund");
  });

  it("a second refund for the same trace, in the same page or later, changes nothing more", async () => {
    const o = await settledOrder("1", "settling");
    const first = snapshot({ opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    const second = snapshot({ opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshots(store.db, [first, second])).toEqual(["mixpay_refund", "unexplained_refund"]);
    const third = snapshot({ opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, third)).toBe("unexplained_refund");
    expect((await alertFor(third.snapshotId))!.message).toContain("already refunded");
    expect(await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id))).toHaveLength(1);
  });

  it("records our own settlement transfers and other incoming transfers as top-ups", async () => {
    const o = await insertOrder(store.db, { status: "settling" });
    expect(await processSnapshot(store.db, snapshot({ amount: "-1", requestId: o.traceId }))).toBe("settlement");
    const top = snapshot({ amount: "250" });
    expect(await processSnapshot(store.db, top)).toBe("top_up");
    const [row] = await store.db.select().from(mixinSnapshots).where(eq(mixinSnapshots.snapshotId, top.snapshotId));
    expect(row!.kind).toBe("top_up");
  });

  it("quarantines a snapshot the store refuses (NUL in a text field) with an alert; the rest of its page is applied", async () => {
    const o = await settledOrder("1");
    const poisoned = snapshot({ amount: "5", memoHex: "00", memoText: "a\u0000b", requestId: "x\u0000y" });
    const refund = snapshot({ opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshots(store.db, [poisoned, refund])).toEqual(["quarantined", "mixpay_refund"]);
    expect(await statusOf(o.id)).toBe("mixpay_refunded");
    const [row] = await store.db
      .select()
      .from(mixinSnapshots)
      .where(eq(mixinSnapshots.snapshotId, poisoned.snapshotId));
    expect(row).toMatchObject({ kind: "quarantined", memoHex: "00", memoText: null });
    expect(row!.issue).toBeTruthy();
    const [a] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `snapshot_quarantined:${poisoned.snapshotId}`));
    expect(a).toMatchObject({ kind: "snapshot_quarantined", severity: "critical" });
  });
});
