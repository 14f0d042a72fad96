import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { mixinSnapshots, orders, syncCursors } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { dec } from "@/server/money";
import { transitionOrder } from "@/server/orders/transition-order";
import { refundReasonText } from "./refund-reasons";

/** A bot snapshot as the Mixin port normalises it (amount negative for outgoing). */
export interface IncomingSnapshot {
  snapshotId: string;
  assetId: string;
  amount: string;
  opponentId: string | null;
  requestId: string | null;
  transactionHash: string | null;
  memoHex: string;
  memoText: string;
  /** Set when the memo decodes to MixPay's RF|trace_id|code. */
  refund: { traceId: string; code?: string } | null;
  createdAt: string;
}

export const SNAPSHOT_CURSOR = "mixin-snapshots";
const ACTOR = "system:watch-snapshots";
const REFUNDABLE_FROM: readonly OrderStatus[] = ["settling", "settled", "settlement_failed"];

export type SnapshotOutcome = "duplicate" | "settlement" | "mixpay_refund" | "unmatched_refund" | "top_up" | "other";

/**
 * Record one snapshot and act on it, exactly once: the snapshot row (unique snapshot_id) and the
 * order change it causes commit together, so a crash or a re-read never applies it twice.
 */
export async function processSnapshot(db: Db, s: IncomingSnapshot): Promise<SnapshotOutcome> {
  const incoming = dec(s.amount).gt(0);
  return db.transaction(async (tx) => {
    let kind: "settlement" | "mixpay_refund" | "top_up" | "other" = "other";
    let orderId: string | null = null;
    let outcome: SnapshotOutcome = "other";
    let order: typeof orders.$inferSelect | undefined;
    if (!incoming && s.requestId) {
      [order] = await tx.select().from(orders).where(eq(orders.traceId, s.requestId));
      if (order) {
        kind = "settlement";
        orderId = order.id;
        outcome = "settlement";
      }
    } else if (incoming && s.refund) {
      kind = "mixpay_refund";
      [order] = await tx.select().from(orders).where(eq(orders.traceId, s.refund.traceId));
      // Only MixPay's bot, in the order's asset, can refund the order.
      if (order && order.assetId === s.assetId && (!s.opponentId || s.opponentId === order.opponentId)) {
        orderId = order.id;
        outcome = "mixpay_refund";
      } else {
        outcome = "unmatched_refund";
      }
    } else if (incoming) {
      kind = "top_up";
      outcome = "top_up";
    }

    const inserted = await tx
      .insert(mixinSnapshots)
      .values({
        snapshotId: s.snapshotId,
        assetId: s.assetId,
        amount: s.amount,
        opponentId: s.opponentId,
        requestId: s.requestId,
        transactionHash: s.transactionHash,
        memoHex: s.memoHex,
        memoText: s.memoText,
        kind,
        orderId,
        refundCode: s.refund?.code ?? null,
        snapshotCreatedAt: new Date(s.createdAt),
      })
      .onConflictDoNothing()
      .returning({ id: mixinSnapshots.snapshotId });
    if (inserted.length === 0) return "duplicate";

    if (outcome === "mixpay_refund" && order) {
      const code = s.refund?.code;
      if (REFUNDABLE_FROM.includes(order.status)) {
        await transitionOrder(tx, {
          orderId: order.id,
          from: REFUNDABLE_FROM,
          to: "mixpay_refunded",
          actor: ACTOR,
          type: "order.mixpay_refunded",
          message: `MixPay refunded ${s.amount}: ${refundReasonText(code)}`,
          data: { snapshotId: s.snapshotId, code: code ?? null, reason: refundReasonText(code) },
          patch: { mixpayRefundCode: code ?? null },
          events: [{ id: `order.refund/${order.id}`, name: "order/refund.requested", data: { orderId: order.id } }],
        });
      } else {
        await raiseAlert(tx, {
          kind: "unexpected_refund",
          dedupeKey: `unexpected_refund:${s.snapshotId}`,
          orderId: order.id,
          assetId: s.assetId,
          message: `MixPay refunded order ${order.id} while it was ${order.status} (snapshot ${s.snapshotId}).`,
          data: { code: code ?? null },
        });
      }
    } else if (outcome === "unmatched_refund") {
      await raiseAlert(tx, {
        kind: "unmatched_refund",
        dedupeKey: `unmatched_refund:${s.snapshotId}`,
        assetId: s.assetId,
        message: `A refund memo for trace ${s.refund?.traceId} matches no order of this broker (snapshot ${s.snapshotId}).`,
        data: { amount: s.amount, opponentId: s.opponentId },
      });
    }
    return outcome;
  });
}

export async function readSnapshotCursor(db: Db): Promise<string | undefined> {
  const [row] = await db.select().from(syncCursors).where(eq(syncCursors.name, SNAPSHOT_CURSOR));
  return row?.value;
}

export async function writeSnapshotCursor(db: Db, value: string): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ name: SNAPSHOT_CURSOR, value })
    .onConflictDoUpdate({ target: syncCursors.name, set: { value, updatedAt: new Date() } });
}
