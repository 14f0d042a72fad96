import Decimal from "decimal.js";
import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerJournals, orders, type OrderStatus } from "@/db/schema";
import { ACCOUNTS } from "./accounts";
import { postJournal, type JournalInput, type PostResult } from "./post-journal";

type OrderRow = typeof orders.$inferSelect;

/** What the snapshot processor knows of a bot snapshot (a subset of IncomingSnapshot). */
export interface LedgerSnapshot {
  snapshotId: string;
  assetId: string;
  /** Signed: negative for what left the bot. */
  amount: string;
  opponentId: string | null;
  memoText?: string;
  createdAt: string;
}

/** An RF memo can be applied only to an order MixPay was paid for (process-snapshots' rule). */
const REFUNDABLE_FROM: readonly OrderStatus[] = ["settling", "settled", "settlement_failed"];
/** Statuses an order is in once MixPay's refund has been applied to it. */
const REFUND_APPLIED: readonly OrderStatus[] = ["mixpay_refunded", "refunding", "refunded", "refund_failed"];

const ACTOR = "system:ledger";

/**
 * The journal of one bot snapshot, from its classification: a settlement to MixPay clears what was
 * owed, a MixPay refund that was applied to its order makes the pay amount owed to the end user and
 * reverses the fee, and everything else (top-ups, stray transfers, refunds that were not applied,
 * outcomes added later such as quarantine) goes to suspense until an operator labels it. A part that
 * differs from what the order says (another amount, another asset) goes to suspense too.
 */
export function journalForSnapshot(
  s: LedgerSnapshot,
  outcome: string,
  order: OrderRow | undefined,
  refundApplied: boolean,
): JournalInput {
  const amt = new Decimal(s.amount);
  const base = {
    key: `snapshot:${s.snapshotId}`,
    snapshotId: s.snapshotId,
    actor: ACTOR,
    occurredAt: new Date(s.createdAt),
    data: { outcome, opponentId: s.opponentId, amount: s.amount },
  };
  const bot = { account: ACCOUNTS.mixinBot, assetId: s.assetId, amount: amt };
  if (outcome === "settlement" && order && amt.isNegative() && order.assetId === s.assetId) {
    const owed = new Decimal(order.amount);
    return {
      ...base,
      kind: "settlement",
      orderId: order.id,
      memo: `settled ${amt.neg().toFixed()} to MixPay for order ${order.id}`,
      postings: [
        bot,
        { account: ACCOUNTS.owedMixpay, assetId: s.assetId, amount: owed },
        { account: ACCOUNTS.suspense, assetId: s.assetId, amount: amt.neg().minus(owed) },
      ],
    };
  }
  if (outcome === "mixpay_refund" && order && refundApplied && amt.isPositive() && order.assetId === s.assetId) {
    const pay = new Decimal(order.payAmount);
    const fee = new Decimal(order.fee);
    return {
      ...base,
      kind: "mixpay_refund",
      orderId: order.id,
      memo: `MixPay sent back ${amt.toFixed()} for order ${order.id}; the end user is owed ${order.payAmount}`,
      postings: [
        bot,
        { account: ACCOUNTS.owedEndUsers, assetId: s.assetId, amount: pay.neg() },
        { account: ACCOUNTS.feeIncome, assetId: s.assetId, amount: fee },
        { account: ACCOUNTS.suspense, assetId: s.assetId, amount: pay.minus(fee).minus(amt) },
      ],
    };
  }
  return {
    ...base,
    kind: "unexplained",
    orderId: order?.id ?? null,
    memo: `${amt.isNegative() ? "outgoing" : "incoming"} transfer of ${amt.abs().toFixed()} (${outcome}) from ${s.opponentId ?? "unknown"}${s.memoText ? `, memo "${s.memoText.slice(0, 80)}"` : ""}`,
    postings: [bot, { account: ACCOUNTS.suspense, assetId: s.assetId, amount: amt.neg() }],
  };
}

/**
 * The one hook in processSnapshots: call inside its transaction for each snapshot recorded for the
 * first time, after its order change. Idempotent by `snapshot:<id>`.
 */
export async function postJournalForSnapshot(
  tx: DbOrTx,
  s: LedgerSnapshot,
  outcome: string,
  order: OrderRow | undefined,
): Promise<PostResult> {
  if (new Decimal(s.amount).isZero()) return { posted: false };
  let refundApplied = false;
  if (outcome === "mixpay_refund" && order) {
    const [now] = await tx.select({ status: orders.status }).from(orders).where(eq(orders.id, order.id));
    const [earlier] = await tx
      .select({ id: ledgerJournals.id })
      .from(ledgerJournals)
      .where(and(eq(ledgerJournals.orderId, order.id), eq(ledgerJournals.kind, "mixpay_refund")))
      .limit(1);
    // Applied by this snapshot: the order was refundable when the page was read and has moved on
    // since (a paid_late order that is refunding was never refundable by MixPay; a second RF for
    // the same order finds the first one's journal).
    refundApplied = REFUNDABLE_FROM.includes(order.status) && !!now && REFUND_APPLIED.includes(now.status) && !earlier;
  }
  return postJournal(tx, journalForSnapshot(s, outcome, order, refundApplied));
}
