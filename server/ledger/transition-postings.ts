import Decimal from "decimal.js";
import type { DbOrTx } from "@/db/client";
import type { orders, OrderStatus } from "@/db/schema";
import { ACCOUNTS, walletAccount } from "./accounts";
import { postCommissionForTransition } from "./commission-postings";
import { postJournal, type JournalInput, type PostResult } from "./post-journal";

type OrderRow = typeof orders.$inferSelect;

/**
 * The money an order's status change moves, derived from (from, to, order row) alone so that a
 * transition added later (e.g. created → cancelled by an operator) either moves no money or
 * matches a rule below; nothing here throws on an unknown pair. Settlements and MixPay refunds
 * are posted from the Mixin snapshots that prove them (snapshot-postings.ts), not from statuses.
 */
export function journalForTransition(
  from: OrderStatus,
  to: OrderStatus,
  order: OrderRow,
  actor: string,
): (Omit<JournalInput, "occurredAt"> & { occurredAt?: Date }) | undefined {
  const wallet = walletAccount(order.walletProvider);
  const asset = order.assetId;
  const pay = new Decimal(order.payAmount);
  const base = { key: `order:${order.id}:${to}`, orderId: order.id, actor, data: { from, to, wallet: order.wallet } };
  switch (to) {
    case "paid":
      // The end user paid amount + fee in time: MixPay is owed the amount, the fee is ours.
      return {
        ...base,
        kind: "order_paid",
        memo: `end user paid ${order.payAmount} at ${order.walletProvider}`,
        occurredAt: order.paidAt ?? undefined,
        postings: [
          { account: wallet, assetId: asset, amount: pay },
          { account: ACCOUNTS.owedMixpay, assetId: asset, amount: new Decimal(order.amount).neg() },
          { account: ACCOUNTS.feeIncome, assetId: asset, amount: new Decimal(order.fee).neg() },
          // pay_amount is amount + fee by construction (create-order.ts); should a row ever say
          // otherwise, the gap goes to suspense (and shows on the treasury page) instead of
          // failing the payment.
          { account: ACCOUNTS.suspense, assetId: asset, amount: pay.minus(order.amount).minus(order.fee).neg() },
        ],
      };
    case "paid_late":
      // Paid after expired_at (or after a cancel): nothing goes to MixPay; all of it is owed back.
      return {
        ...base,
        kind: "order_paid_late",
        memo: `end user paid ${order.payAmount} late at ${order.walletProvider}`,
        occurredAt: order.paidAt ?? undefined,
        postings: [
          { account: wallet, assetId: asset, amount: pay },
          { account: ACCOUNTS.owedEndUsers, assetId: asset, amount: pay.neg() },
        ],
      };
    case "refunded":
      // The wallet paid the end user back what they paid.
      return {
        ...base,
        kind: "end_user_refund",
        memo: `refunded ${order.payAmount} to the end user at ${order.walletProvider}`,
        occurredAt: order.refundedAt ?? undefined,
        postings: [
          { account: ACCOUNTS.owedEndUsers, assetId: asset, amount: pay },
          { account: wallet, assetId: asset, amount: pay.neg() },
        ],
      };
    default:
      // created, failed, cancelled, expired, settling, settled, settlement_failed, mixpay_refunded,
      // refunding, refund_failed, and any status added later: no money moves with the status itself.
      return undefined;
  }
}

/**
 * The one hook in transitionOrder: call inside its transaction after the UPDATE. Idempotent by
 * `order:<id>:<to>`, so a retried or repeated transition never posts twice.
 */
export async function postJournalForTransition(
  tx: DbOrTx,
  before: Pick<OrderRow, "status">,
  after: OrderRow,
  input: { actor: string; data?: Record<string, unknown> },
): Promise<PostResult> {
  const j = journalForTransition(before.status, after.status, after, input.actor);
  if (!j) return { posted: false };
  const occurredAt = j.occurredAt ?? new Date();
  const posted = await postJournal(tx, { ...j, occurredAt });
  // The wallet's commission, when the same change reports it (commission-postings.ts).
  if (posted.posted) await postCommissionForTransition(tx, after.status, after, input.data, input.actor, occurredAt);
  return posted;
}
