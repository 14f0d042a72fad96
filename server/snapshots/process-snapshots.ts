import { and, eq, inArray } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { mixinSnapshots, mixinTransfers, orders, syncCursors } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { logger } from "@/server/logger";
import { memoHexOf } from "@/server/mixin/memo";
import { postJournalForSnapshot } from "@/server/ledger/snapshot-postings";
import { dec } from "@/server/money";
import { transitionOrder, type Order } from "@/server/orders/transition-order";
import { refundMismatches, type MixPayVerdicts } from "./authenticate-refund";
import { refundReasonText } from "./refund-reasons";

/** A bot snapshot as the Mixin port normalises it (amount negative for outgoing). */
export interface IncomingSnapshot {
  snapshotId: string;
  assetId: string;
  amount: string;
  opponentId: string | null;
  requestId: string | null;
  transactionHash: string | null;
  /** The memo's raw bytes as hex. */
  memoHex: string;
  /** The memo as text when it is valid UTF-8 without NUL, else null. */
  memoText: string | null;
  /** Set when the memo decodes to MixPay's RF|trace_id|code. */
  refund: { traceId: string; code?: string } | null;
  createdAt: string;
}

export const SNAPSHOT_CURSOR = "mixin-snapshots";
const ACTOR = "system:watch-snapshots";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type SnapshotOutcome =
  | "duplicate"
  | "settlement"
  | "mixpay_refund"
  | "unexplained_refund"
  | "top_up"
  | "other"
  | "quarantined";
type Kind = "settlement" | "mixpay_refund" | "top_up" | "other" | "unexplained";

/**
 * Record one snapshot and act on it, exactly once: the snapshot row (unique snapshot_id) and the
 * order change it causes commit together, so a crash or a re-read never applies it twice.
 */
export async function processSnapshot(
  db: Db,
  s: IncomingSnapshot,
  verdicts?: MixPayVerdicts,
): Promise<SnapshotOutcome> {
  return (await processSnapshots(db, [s], verdicts))[0]!;
}

/**
 * A page of snapshots, in one transaction when it goes through. When the page fails (a hostile
 * memo, bytes the store refuses, a bug), each snapshot is retried in its own transaction and the
 * one that still fails is quarantined with an alert: one bad snapshot never stops the others
 * (the cursor then moves past it; its row keeps the raw facts for an operator).
 * `verdicts` holds what MixPay's payment-result API said about the page's RF traces, asked
 * before this call (see askMixPayAboutRefunds): no transaction waits on HTTP.
 */
export async function processSnapshots(
  db: Db,
  list: IncomingSnapshot[],
  verdicts: MixPayVerdicts = new Map(),
): Promise<SnapshotOutcome[]> {
  if (list.length === 0) return [];
  try {
    return await db.transaction((tx) => applyPage(tx, list, verdicts));
  } catch (pageError) {
    if (list.length === 1) return [await quarantine(db, list[0]!, pageError)];
    logger("watch-snapshots").warn(
      { error: String((pageError as Error)?.message ?? pageError).slice(0, 300) },
      "a snapshot page failed; applying its snapshots one by one",
    );
    const outcomes: SnapshotOutcome[] = [];
    for (const s of list) outcomes.push(...(await processSnapshots(db, [s], verdicts)));
    return outcomes;
  }
}

async function applyPage(tx: Tx, list: IncomingSnapshot[], verdicts: MixPayVerdicts): Promise<SnapshotOutcome[]> {
  const traceIds = [
    ...new Set(
      list.flatMap((s) =>
        dec(s.amount).gt(0) ? (s.refund ? [s.refund.traceId] : []) : s.requestId ? [s.requestId] : [],
      ),
    ),
  ].filter((t) => UUID.test(t));
  const named = traceIds.length ? await tx.select().from(orders).where(inArray(orders.traceId, traceIds)) : [];
  const byTrace = new Map(named.map((o) => [o.traceId, o]));
  const ids = named.map((o) => o.id);
  const transfers = ids.length
    ? await tx.select().from(mixinTransfers).where(inArray(mixinTransfers.orderId, ids))
    : [];
  const settledBy = new Map(transfers.map((t) => [t.orderId, { amount: t.amount, status: t.status }]));
  const earlier = ids.length
    ? await tx
        .select({ orderId: mixinSnapshots.orderId, snapshotId: mixinSnapshots.snapshotId })
        .from(mixinSnapshots)
        .where(and(eq(mixinSnapshots.kind, "mixpay_refund"), inArray(mixinSnapshots.orderId, ids)))
    : [];
  const refundedBy = new Map(earlier.map((r) => [r.orderId!, r.snapshotId]));

  const classified = list.map((s) => {
    const incoming = dec(s.amount).gt(0);
    let kind: Kind = "other";
    let outcome: SnapshotOutcome = "other";
    let order: Order | undefined;
    let issue: string | null = null;
    if (!incoming && s.requestId) {
      order = byTrace.get(s.requestId);
      if (order) [kind, outcome] = ["settlement", "settlement"];
    } else if (incoming && s.refund) {
      const candidate = byTrace.get(s.refund.traceId);
      const prior = candidate && refundedBy.get(candidate.id);
      const why = refundMismatches(s, {
        order: candidate,
        settled: candidate && settledBy.get(candidate.id),
        alreadyRefunded: Boolean(prior && prior !== s.snapshotId),
        verdict: verdicts.get(s.refund.traceId),
      });
      if (why.length === 0 && candidate) {
        [kind, outcome, order] = ["mixpay_refund", "mixpay_refund", candidate];
        refundedBy.set(candidate.id, s.snapshotId); // a second RF for the trace later in this page is not a refund
      } else {
        [kind, outcome, issue] = ["unexplained", "unexplained_refund", why.join("; ")];
        order = candidate;
      }
    } else if (incoming) {
      [kind, outcome] = ["top_up", "top_up"];
    }
    return { s, kind, outcome, order, issue };
  });

  const unique = [...new Map(classified.map((c) => [c.s.snapshotId, c])).values()];
  const inserted = await tx
    .insert(mixinSnapshots)
    .values(
      unique.map((c) =>
        row(c.s, c.kind, c.kind === "settlement" || c.kind === "mixpay_refund" ? (c.order?.id ?? null) : null, c.issue),
      ),
    )
    .onConflictDoNothing()
    .returning({ id: mixinSnapshots.snapshotId });
  const fresh = new Set(inserted.map((r) => r.id));

  const outcomes: SnapshotOutcome[] = [];
  const applied = new Set<string>();
  for (const { s, outcome, order, issue } of classified) {
    if (!fresh.has(s.snapshotId) || applied.has(s.snapshotId)) {
      outcomes.push("duplicate");
      continue;
    }
    applied.add(s.snapshotId);
    if (outcome === "mixpay_refund" && order) await applyMixPayRefund(tx, s, order);
    else if (outcome === "unexplained_refund") await alertUnexplained(tx, s, order, issue ?? "");
    // The books move in the same transaction as the snapshot row (server/ledger, docs/ledger.md).
    await postJournalForSnapshot(tx, { ...s, memoText: s.memoText ?? undefined }, outcome, order);
    outcomes.push(outcome);
  }
  return outcomes;
}

function row(s: IncomingSnapshot, kind: Kind | "quarantined", orderId: string | null, issue: string | null) {
  return {
    snapshotId: s.snapshotId,
    assetId: s.assetId,
    amount: s.amount,
    opponentId: s.opponentId,
    requestId: s.requestId,
    transactionHash: s.transactionHash,
    memoHex: memoHexOf(s.memoHex),
    memoText: s.memoText,
    kind,
    orderId,
    refundCode: s.refund?.code ?? null,
    issue,
    snapshotCreatedAt: new Date(s.createdAt),
  };
}

/** An RF memo that did not authenticate: recorded, no order touched, operators told what did not match. */
async function alertUnexplained(tx: Tx, s: IncomingSnapshot, order: Order | undefined, issue: string): Promise<void> {
  await raiseAlert(tx, {
    kind: "unexplained_transfer",
    dedupeKey: `unexplained_transfer:${s.snapshotId}`,
    severity: order ? "critical" : "warning",
    assetId: s.assetId,
    orderId: order?.id,
    message: `Incoming ${s.amount} with a refund memo for trace ${s.refund?.traceId} changed no order (snapshot ${s.snapshotId}): ${issue}.`,
    data: {
      snapshotId: s.snapshotId,
      amount: s.amount,
      opponentId: s.opponentId,
      traceId: s.refund?.traceId ?? null,
      issue,
    },
  });
}

async function applyMixPayRefund(tx: Tx, s: IncomingSnapshot, order: Order): Promise<void> {
  const code = s.refund?.code;
  await transitionOrder(tx, {
    orderId: order.id,
    from: ["settling", "settled", "settlement_failed"],
    to: "mixpay_refunded",
    actor: ACTOR,
    type: "order.mixpay_refunded",
    message: `MixPay refunded ${s.amount}: ${refundReasonText(code)}`,
    data: { snapshotId: s.snapshotId, code: code ?? null, reason: refundReasonText(code), from: s.opponentId },
    patch: { mixpayRefundCode: code ?? null },
    events: [{ id: `order.refund/${order.id}`, name: "order/refund.requested", data: { orderId: order.id } }],
  });
}

/**
 * Keep what can be kept of a snapshot that cannot be processed, with the error, and alert.
 * Text fields are dropped (they may hold what the store refused); the memo stays as hex.
 */
async function quarantine(db: Db, s: IncomingSnapshot, error: unknown): Promise<SnapshotOutcome> {
  const message = String((error as Error)?.message ?? error)
    .replace(/\u0000/g, "\\0")
    .slice(0, 500);
  const safeId = UUID.test(s.snapshotId) ? s.snapshotId : undefined;
  try {
    if (safeId) {
      await db
        .insert(mixinSnapshots)
        .values({
          ...row(
            {
              ...s,
              memoText: null,
              requestId: null,
              transactionHash: /^[0-9a-f]{0,64}$/i.test(s.transactionHash ?? "") ? s.transactionHash : null,
            },
            "quarantined",
            null,
            message,
          ),
          assetId: UUID.test(s.assetId) ? s.assetId : "00000000-0000-0000-0000-000000000000",
          amount: /^-?\d{1,30}(\.\d{1,8})?$/.test(s.amount) ? s.amount : "0",
          opponentId: s.opponentId && UUID.test(s.opponentId) ? s.opponentId : null,
          snapshotCreatedAt: Number.isNaN(Date.parse(s.createdAt)) ? new Date() : new Date(s.createdAt),
          refundCode: null,
        })
        .onConflictDoNothing();
    }
  } catch (e) {
    logger("watch-snapshots").error({ err: e, snapshotId: s.snapshotId }, "could not even quarantine a snapshot");
  }
  await raiseAlert(db, {
    kind: "snapshot_quarantined",
    dedupeKey: `snapshot_quarantined:${safeId ?? "invalid-id"}`,
    severity: "critical",
    message: `Mixin snapshot ${safeId ?? "(invalid id)"} could not be processed and was set aside; later snapshots go on. Error: ${message}`,
    data: { snapshotId: safeId ?? null, memoHex: memoHexOf(s.memoHex).slice(0, 2000), error: message },
  });
  return "quarantined";
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
