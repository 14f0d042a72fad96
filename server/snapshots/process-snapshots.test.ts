import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { alerts, mixinSnapshots, orderEvents, orders, outbox } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { processSnapshot, type IncomingSnapshot } from "./process-snapshots";

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

describe("processSnapshot", () => {
  it("marks an order refunded by MixPay with the reason, once, and asks for the user refund", async () => {
    const o = await insertOrder(store.db, { status: "settled" });
    const s = snapshot({ amount: "1", opponentId: o.opponentId, refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, s)).toBe("mixpay_refund");
    expect(await processSnapshot(store.db, s)).toBe("duplicate");
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row).toMatchObject({ status: "mixpay_refunded", mixpayRefundCode: "40025" });
    const events = await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id));
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toContain("Too much market volatility.");
    expect(await store.db.select().from(outbox).where(eq(outbox.id, `order.refund/${o.id}`))).toHaveLength(1);
  });

  it("does not let a refund memo for an unknown trace touch any order, and alerts", async () => {
    const s = snapshot({ refund: { traceId: crypto.randomUUID(), code: "40000" } });
    expect(await processSnapshot(store.db, s)).toBe("unmatched_refund");
    const [a] = await store.db.select().from(alerts).where(eq(alerts.dedupeKey, `unmatched_refund:${s.snapshotId}`));
    expect(a).toBeDefined();
  });

  it("ignores a refund memo from someone other than the order's MixPay bot", async () => {
    const o = await insertOrder(store.db, { status: "settled" });
    const s = snapshot({ opponentId: crypto.randomUUID(), refund: { traceId: o.traceId, code: "40025" } });
    expect(await processSnapshot(store.db, s)).toBe("unmatched_refund");
    const [row] = await store.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe("settled");
  });

  it("records our own settlement transfers and other incoming transfers as top-ups", async () => {
    const o = await insertOrder(store.db, { status: "settling" });
    expect(await processSnapshot(store.db, snapshot({ amount: "-1", requestId: o.traceId }))).toBe("settlement");
    const top = snapshot({ amount: "250" });
    expect(await processSnapshot(store.db, top)).toBe("top_up");
    const [row] = await store.db.select().from(mixinSnapshots).where(eq(mixinSnapshots.snapshotId, top.snapshotId));
    expect(row!.kind).toBe("top_up");
  });
});
