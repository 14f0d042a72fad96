import Decimal from "decimal.js";
import type { DbOrTx } from "@/db/client";
import type { orders, OrderStatus } from "@/db/schema";
import { ACCOUNTS, walletAccount } from "./accounts";
import { postJournal, type JournalInput } from "./post-journal";

type OrderRow = typeof orders.$inferSelect;

/** A positive decimal with at most 8 places, or undefined (a wallet's field is hostile input). */
function positiveAmount(v: unknown): Decimal | undefined {
  // Binance sends JSON numbers, kept as their text: "0.002525", possibly "2.525E-3".
  if ((typeof v !== "string" && typeof v !== "number") || !/^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(String(v)))
    return undefined;
  const d = new Decimal(String(v));
  return d.gt(0) && d.decimalPlaces() <= 8 ? d : undefined;
}

/**
 * What the wallet keeps, learnt with the status change that reports it (docs/ledger.md):
 *  - on `paid` / `paid_late`, the wallet's `commission` on the payment (Binance Pay's order query,
 *    carried in the transition's data): it credits the merchant the pay amount less this, so the
 *    wallet account goes down by it and the expense `wallet_commission` up;
 *  - on `refunded`, the share the wallet gave back with the refund (`commissionReturned`, Binance
 *    Pay's `refundCommission`): the refund drew that much less from the wallet account.
 * Keys `commission:<order>` and `commission:<order>:returned`: once each, whatever repeats.
 */
export function commissionJournal(
  to: OrderStatus,
  order: OrderRow,
  data: Record<string, unknown> | undefined,
  actor: string,
  occurredAt: Date,
): JournalInput | undefined {
  const wallet = walletAccount(order.walletProvider);
  const asset = order.assetId;
  if (to === "paid" || to === "paid_late") {
    const c = positiveAmount(data?.commission);
    if (!c) return undefined;
    return {
      key: `commission:${order.id}`,
      kind: "wallet_commission",
      orderId: order.id,
      actor,
      occurredAt,
      memo: `${order.walletProvider} kept ${c.toFixed()} of the payment for order ${order.id} as its commission`,
      data: { commission: c.toFixed(8), wallet: order.wallet },
      postings: [
        { account: ACCOUNTS.walletCommission, assetId: asset, amount: c },
        { account: wallet, assetId: asset, amount: c.neg() },
      ],
    };
  }
  if (to === "refunded") {
    const c = positiveAmount(data?.commissionReturned);
    if (!c) return undefined;
    return {
      key: `commission:${order.id}:returned`,
      kind: "wallet_commission",
      orderId: order.id,
      actor,
      occurredAt,
      memo: `${order.walletProvider} gave back ${c.toFixed()} of its commission with the refund of order ${order.id}`,
      data: { commissionReturned: c.toFixed(8), wallet: order.wallet },
      postings: [
        { account: wallet, assetId: asset, amount: c },
        { account: ACCOUNTS.walletCommission, assetId: asset, amount: c.neg() },
      ],
    };
  }
  return undefined;
}

export async function postCommissionForTransition(
  tx: DbOrTx,
  to: OrderStatus,
  order: OrderRow,
  data: Record<string, unknown> | undefined,
  actor: string,
  occurredAt: Date,
): Promise<void> {
  const j = commissionJournal(to, order, data, actor, occurredAt);
  if (j) await postJournal(tx, j);
}
