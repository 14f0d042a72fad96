import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { alerts, auditLog, orderEvents, orders, outbox, refunds } from "@/db/schema";
import { retryFailedRefund } from "@/server/console/dead-end-actions";
import type { WalletProvider, WalletRefundRequest, WalletRefundResult } from "@/server/wallets/port";
import { createTestStore, type TestStore } from "@/test/store";
import { insertOrder } from "@/test/factories";
import { reconcileFailedRefunds } from "./reconcile-failed-refunds";
import { markRefundFailed, refundEndUser, refundRequestIdFor } from "./refund-end-user";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const OPERATOR = { id: "0e0e0e0e-0000-4000-8000-000000000001", email: "op@example.test" };

/** A wallet whose refund answers and query answers the test sets, recording what it was asked. */
function wallet() {
  const state = {
    refund: (_: WalletRefundRequest): WalletRefundResult | Error => new Error("connection reset"),
    query: new Map<string, WalletRefundResult["status"]>(),
  };
  const asked: string[] = [];
  const queried: string[] = [];
  const provider: WalletProvider = {
    kind: "demo",
    createPayment: async () => {
      throw new Error("not used");
    },
    queryPayment: async () => {
      throw new Error("not used");
    },
    close: async () => {
      throw new Error("not used");
    },
    async refund(req) {
      asked.push(req.refundRequestId);
      const r = state.refund(req);
      if (r instanceof Error) throw r;
      return r;
    },
    async queryRefund(id) {
      queried.push(id);
      return { status: state.query.get(id) ?? "processing", providerRefundId: `p-${id}` };
    },
  };
  return { provider, state, asked, queried };
}

/** An order whose wallet refund failed until the durable function gave up (refund_failed). */
async function failedRefund(w: ReturnType<typeof wallet>) {
  const o = await insertOrder(store.db, {
    status: "mixpay_refunded",
    mixpayRefundCode: "40025",
    walletOrderId: `w-${crypto.randomUUID()}`,
  });
  await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toThrow("connection reset");
  await markRefundFailed(store.db, o.id, "retries exhausted", "system:test");
  return o;
}
const statusOf = async (id: string) => (await store.db.select().from(orders).where(eq(orders.id, id)))[0]!.status;
const attempts = (id: string) =>
  store.db.select().from(refunds).where(eq(refunds.orderId, id)).orderBy(asc(refunds.generation));

describe("refund_failed is never a dead end", () => {
  it("a later success at the wallet is found by the reconciler and recorded", async () => {
    const w = wallet();
    const o = await failedRefund(w);
    expect(await statusOf(o.id)).toBe("refund_failed");
    expect(await reconcileFailedRefunds(store.db, () => w.provider)).toMatchObject({ checked: 1, recovered: 0 }); // still processing
    expect(await statusOf(o.id)).toBe("refund_failed");
    w.state.query.set(refundRequestIdFor(o.id), "succeeded");
    expect(await reconcileFailedRefunds(store.db, () => w.provider)).toMatchObject({ recovered: 1 });
    expect(await statusOf(o.id)).toBe("refunded");
    expect((await attempts(o.id))[0]).toMatchObject({ status: "succeeded", generation: 1 });
    const types = (
      await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id)).orderBy(asc(orderEvents.id))
    ).map((e) => e.type);
    expect(types.slice(-2)).toEqual(["order.refunding", "order.refunded"]);
  });

  it("an operator retry keeps the request id while the wallet may still pay, and gets a new one only after the wallet confirms the failure", async () => {
    const w = wallet();
    const o = await failedRefund(w);
    const first = refundRequestIdFor(o.id);

    // Not confirmed failed: the retry re-sends the same id (the wallet deduplicates it).
    expect(await retryFailedRefund(store.db, OPERATOR, o.id)).toMatchObject({ requestId: first, newRequestId: false });
    await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toThrow();
    await markRefundFailed(store.db, o.id, "retries exhausted again", "system:test");
    expect(w.asked).toEqual([first, first]);
    expect(await attempts(o.id)).toHaveLength(1);

    // The wallet confirms the failure: remembered, alerted.
    w.state.query.set(first, "failed");
    expect(await reconcileFailedRefunds(store.db, () => w.provider)).toMatchObject({ confirmedFailed: 1 });
    expect((await attempts(o.id))[0]!.walletFailedAt).not.toBeNull();
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `refund_failed:${o.id}`));
    expect(alert!.message).toContain("new request id");
    // Confirmed failed: the reconciler stops asking.
    const before = w.queried.length;
    await reconcileFailedRefunds(store.db, () => w.provider);
    expect(w.queried.length).toBe(before);

    // Now the retry is a second generation with a deterministic new id, audited.
    expect(await retryFailedRefund(store.db, OPERATOR, o.id)).toMatchObject({
      requestId: `${first}-2`,
      newRequestId: true,
    });
    w.state.refund = (req) => ({ status: "succeeded", providerRefundId: `p-${req.refundRequestId}` });
    expect(await refundEndUser(store.db, o.id, () => w.provider)).toBe("refunded");
    expect(w.asked.at(-1)).toBe(`${first}-2`);
    expect((await attempts(o.id)).map((r) => [r.generation, r.requestId, r.status])).toEqual([
      [1, first, "failed"],
      [2, `${first}-2`, "succeeded"],
    ]);
    const audits = await store.db.select().from(auditLog).where(eq(auditLog.targetId, o.id));
    expect(audits.map((a) => a.action)).toEqual(["refund.retry", "refund.retry"]);
    expect(
      (await store.db.select().from(outbox).where(eq(outbox.name, "order/refund.requested"))).filter((e) =>
        e.id.startsWith(`order.refund/${o.id}/retry-`),
      ),
    ).toHaveLength(2);
  });

  it("a wallet that answers 'failed' directly marks the attempt confirmed-failed (no reconciler needed)", async () => {
    const w = wallet();
    w.state.refund = () => ({ status: "failed", error: "refund window closed" });
    const o = await insertOrder(store.db, { status: "paid_late", walletOrderId: `w-${crypto.randomUUID()}` });
    await expect(refundEndUser(store.db, o.id, () => w.provider)).rejects.toThrow("refund window closed");
    await markRefundFailed(store.db, o.id, "retries exhausted", "system:test");
    expect(await retryFailedRefund(store.db, OPERATOR, o.id)).toMatchObject({
      requestId: `${refundRequestIdFor(o.id)}-2`,
    });
  });

  it("refuses a retry of an order that is not refund_failed", async () => {
    const o = await insertOrder(store.db, { status: "refunding" });
    await expect(retryFailedRefund(store.db, OPERATOR, o.id)).rejects.toThrow("not refund_failed");
  });
});
