import { eq, inArray } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { mixinSnapshots, orders, syncCursors } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { postJournalForSnapshot } from "@/server/ledger/snapshot-postings";
import { dec } from "@/server/money";
import { transitionOrder, type Order } from "@/server/orders/transition-order";
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REFUNDABLE_FROM: readonly OrderStatus[] = ["settling", "settled", "settlement_failed"];

export type SnapshotOutcome = "duplicate" | "settlement" | "mixpay_refund" | "unmatched_refund" | "top_up" | "other";

/**
 * Record one snapshot and act on it, exactly once: the snapshot row (unique snapshot_id) and the
 * order change it causes commit together, so a crash or a re-read never applies it twice.
 */
export async function processSnapshot(db: Db, s: IncomingSnapshot): Promise<SnapshotOutcome> {
  return (await processSnapshots(db, [s]))[0]!;
}

/**
 * The same for a page of snapshots in one transaction: one lookup of the orders they name, one
 * multi-row insert keyed by snapshot_id (what was already recorded comes back as "duplicate"),
 * then the few order changes (MixPay refunds) for the snapshots that are new.
 */
export async function processSnapshots(db: Db, list: IncomingSnapshot[]): Promise<SnapshotOutcome[]> {
  if (list.length === 0) return [];
  return db.transaction(async (tx) => {
    const traceIds = [...new Set(list.flatMap((s) => (dec(s.amount).gt(0) ? (s.refund ? [s.refund.traceId] : []) : s.requestId ? [s.requestId] : [])))];
    const named = traceIds.length
      ? await tx.select().from(orders).where(inArray(orders.traceId, traceIds.filter((t) => UUID.test(t))))
      : [];
    const byTrace = new Map(named.map((o) => [o.traceId, o]));

    const classified = list.map((s) => {
      const incoming = dec(s.amount).gt(0);
      let kind: "settlement" | "mixpay_refund" | "top_up" | "other" = "other";
      let outcome: SnapshotOutcome = "other";
      let order: Order | undefined;
      if (!incoming && s.requestId) {
        order = byTrace.get(s.requestId);
        if (order) [kind, outcome] = ["settlement", "settlement"];
      } else if (incoming && s.refund) {
        kind = "mixpay_refund";
        const candidate = byTrace.get(s.refund.traceId);
        // Only MixPay's bot, in the order's asset, can refund the order.
        if (candidate && candidate.assetId === s.assetId && (!s.opponentId || s.opponentId === candidate.opponentId)) {
          order = candidate;
          outcome = "mixpay_refund";
        } else {
          outcome = "unmatched_refund";
        }
      } else if (incoming) {
        [kind, outcome] = ["top_up", "top_up"];
      }
      return { s, kind, outcome, order };
    });

    const unique = [...new Map(classified.map((c) => [c.s.snapshotId, c])).values()];
    const inserted = await tx
      .insert(mixinSnapshots)
      .values(
        unique.map(({ s, kind, outcome, order }) => ({
          snapshotId: s.snapshotId,
          assetId: s.assetId,
          amount: s.amount,
          opponentId: s.opponentId,
          requestId: s.requestId,
          transactionHash: s.transactionHash,
          memoHex: s.memoHex,
          memoText: s.memoText,
          kind,
          orderId: outcome === "settlement" || outcome === "mixpay_refund" ? (order?.id ?? null) : null,
          refundCode: s.refund?.code ?? null,
          snapshotCreatedAt: new Date(s.createdAt),
        })),
      )
      .onConflictDoNothing()
      .returning({ id: mixinSnapshots.snapshotId });
    const fresh = new Set(inserted.map((r) => r.id));

    const outcomes: SnapshotOutcome[] = [];
    const applied = new Set<string>();
    for (const { s, outcome, order } of classified) {
      if (!fresh.has(s.snapshotId) || applied.has(s.snapshotId)) {
        outcomes.push("duplicate");
        continue;
      }
      applied.add(s.snapshotId);
      if (outcome === "mixpay_refund" && order) await applyMixPayRefund(tx, s, order);
      else if (outcome === "unmatched_refund") {
        await raiseAlert(tx, {
          kind: "unmatched_refund",
          dedupeKey: `unmatched_refund:${s.snapshotId}`,
          assetId: s.assetId,
          message: `A refund memo for trace ${s.refund?.traceId} matches no order of this broker (snapshot ${s.snapshotId}).`,
          data: { amount: s.amount, opponentId: s.opponentId },
        });
      }
      // The books move in the same transaction as the snapshot row (server/ledger, docs/ledger.md).
      await postJournalForSnapshot(tx, s, outcome, order);
      outcomes.push(outcome);
    }
    return outcomes;
  });
}

async function applyMixPayRefund(tx: Tx, s: IncomingSnapshot, order: Order): Promise<void> {
  const code = s.refund?.code;
  // Re-read under the transaction: an earlier snapshot of this page may have moved it.
  const [current] = await tx.select().from(orders).where(eq(orders.id, order.id));
  if (current && REFUNDABLE_FROM.includes(current.status)) {
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
      message: `MixPay refunded order ${order.id} while it was ${current?.status ?? "missing"} (snapshot ${s.snapshotId}).`,
      data: { code: code ?? null },
    });
  }
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
