/**
 * The invariants of the adversarial property test (the list is in ./money-model.ts): I1–I5 after
 * every action, I6–I7 once the broker's own loops are drained at the end of a run.
 */
import Decimal from "decimal.js";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { expect } from "vitest";
import { alerts, mixinSnapshots, orders } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { brokerDeps } from "@/inngest/deps";
import { syncBalances } from "@/server/balances/sync-balances";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { availableBalances } from "@/server/orders/reservations";
import { refundEndUser } from "@/server/refunds/refund-end-user";
import { markSettlementFailed } from "@/server/settlement/settle-order";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import type { Action } from "./money-actions";
import { ACTOR, ASSETS, type Run, settleSteps, statusOf, tolerate } from "./money-model";

/** I1–I5. */
export async function stepChecks(run: Run, action: Action): Promise<void> {
  const { store, emu, wallet } = run.world;
  const db = store.db;
  const where = `after ${JSON.stringify(action)}`;

  // I1: one transfer per trace (the emulator saw every transaction the bot signed).
  const outgoing = emu.snapshots().filter((s) => new Decimal(s.amount).isNegative() && s.request_id);
  const perTrace = new Map<string, number>();
  for (const s of outgoing) perTrace.set(s.request_id, (perTrace.get(s.request_id) ?? 0) + 1);
  for (const [trace, n] of perTrace) expect(n, `I1 two transfers for trace ${trace} ${where}`).toBe(1);

  const rows = run.orders.length
    ? await db
        .select()
        .from(orders)
        .where(
          inArray(
            orders.id,
            run.orders.map((o) => o.id),
          ),
        )
    : [];
  const sentTraces = new Set(outgoing.map((s) => s.request_id));

  // I2: available ≤ held on Mixin − still owed (reserving orders whose money has not left).
  const now = new Date();
  const avail = await availableBalances(db);
  for (const assetId of ASSETS) {
    const owed = rows
      .filter((o) => o.assetId === assetId && !sentTraces.has(o.traceId))
      .filter(
        (o) =>
          ["paid", "settling", "settlement_failed"].includes(o.status) || (o.status === "created" && o.expiredAt > now),
      )
      .reduce((acc, o) => acc.plus(o.amount), new Decimal(0));
    const held = new Decimal(emu.balance(assetId));
    const available = avail.get(assetId)?.available ?? new Decimal(0);
    expect(
      available.isZero() || available.lte(held.minus(owed)),
      `I2 ${assetId}: available ${available} > held ${held} − owed ${owed} ${where}`,
    ).toBe(true);
  }

  // I3, I4, I5: refunds the wallet actually paid.
  const paidBack = new Map<string, Decimal>();
  for (const r of wallet.paid.values())
    paidBack.set(r.orderId, (paidBack.get(r.orderId) ?? new Decimal(0)).plus(r.amount));
  for (const [orderId, total] of paidBack) {
    const o = rows.find((x) => x.id === orderId);
    expect(o, `refund for an order of another run ${where}`).toBeDefined();
    expect(o!.paidAt, `I3 refund without payment for ${orderId} ${where}`).not.toBeNull();
    expect(total.lte(o!.payAmount), `I4 refunded ${total} > paid ${o!.payAmount} for ${orderId} ${where}`).toBe(true);
    if (sentTraces.has(o!.traceId)) {
      const back = run.returnedByOpponent.get(o!.traceId) ?? new Decimal(0);
      expect(
        back.gte(o!.amount),
        `I5 order ${orderId} refunded to its end user although its opponent sent back only ${back} of ${o!.amount} ${where}`,
      ).toBe(true);
    }
  }
}

const FINAL: readonly OrderStatus[] = ["settled", "refunded", "expired", "cancelled", "failed"];

/** Drain the broker's own work with the faults cleared, then I6 and I7. */
export async function finalChecks(run: Run): Promise<void> {
  const { store, emu, wallet } = run.world;
  const db = store.db;
  emu.clearFaults();
  wallet.refuseNext = 0;
  for (let pass = 0; pass < 3; pass++) {
    await syncBalances(db, brokerDeps().balances);
    await pollSnapshots(db, brokerDeps().snapshots, { mixpay: brokerDeps().mixpay });
    await expireDueOrders(db, new Date(Date.now() + 86_400_000));
    for (const o of run.orders) {
      const s = await statusOf(run, o.id);
      if (["paid", "settling", "settlement_failed"].includes(s)) await settleSteps(run, o.id, 3);
      else if (["mixpay_refunded", "paid_late", "refund_failed", "refunding"].includes(s))
        await tolerate(() => refundEndUser(db, o.id, () => wallet, ACTOR));
    }
  }
  await pollSnapshots(db, brokerDeps().snapshots, { mixpay: brokerDeps().mixpay });
  // What Inngest does when settle-order's retries run out (e.g. MixPay keeps answering "unpaid"
  // for a trace it never got): settlement_failed with a critical alert.
  for (const o of run.orders) {
    if ((await statusOf(run, o.id)) === "settling")
      await markSettlementFailed(db, o.id, "retries exhausted (property test drain)", ACTOR);
  }
  await stepChecks(run, { t: "poll" });

  // I6: every snapshot the bot has is recorded.
  const recorded = new Set((await db.select({ id: mixinSnapshots.snapshotId }).from(mixinSnapshots)).map((r) => r.id));
  for (const s of emu.snapshots())
    expect(recorded.has(s.snapshot_id), `I6 snapshot ${s.snapshot_id} (memo ${s.memo}) never recorded`).toBe(true);

  // I7: no order left in limbo without an alert.
  for (const o of run.orders) {
    const s = await statusOf(run, o.id);
    if (FINAL.includes(s)) continue;
    const open = await db
      .select()
      .from(alerts)
      .where(and(eq(alerts.orderId, o.id), isNull(alerts.acknowledgedAt)));
    expect(open.length, `I7 order ${o.id} ended ${s} with no open alert`).toBeGreaterThan(0);
  }
}
