import Decimal from "decimal.js";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { applyPaymentNotice, type NoticeOutcome } from "@/server/orders/apply-payment-notice";
import { recordOrderEvent, type Order } from "@/server/orders/transition-order";
import { completeRefund, currentRefundRequestId } from "@/server/refunds/refund-end-user";
import { binanceAmount, noticeOf, type BinancePayWallet } from "./binance-wallet";
import type { QueryOrderResult } from "./client";

export type BinanceOutcome = NoticeOutcome | "mismatch" | "unknown_order";

export async function findBinanceOrder(db: Db, prepayId: string): Promise<Order | undefined> {
  const [o] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.walletProvider, "binance"), eq(orders.walletOrderId, prepayId)));
  return o;
}

/**
 * Act on what Binance's order query says (a webhook is only a hint; this is the fact). A paid
 * order must match what the broker asked for (trade number, currency, amount); anything else is
 * left alone and alerted, never settled.
 */
export async function applyBinanceOrder(
  db: Db,
  wallet: BinancePayWallet,
  order: Order,
  q: QueryOrderResult,
  actor: string,
  now = new Date(),
): Promise<BinanceOutcome> {
  const notice = noticeOf(q);
  if (notice.status === "paid") {
    const currency = wallet.currencyOf(order.assetId);
    const expected = binanceAmount(order.payAmount);
    const problems: string[] = [];
    if (q.merchantTradeNo !== order.walletTradeNo)
      problems.push(`merchantTradeNo ${q.merchantTradeNo} ≠ ${order.walletTradeNo}`);
    if (q.currency !== currency) problems.push(`currency ${q.currency} ≠ ${currency}`);
    if (!new Decimal(q.orderAmount).eq(expected)) problems.push(`orderAmount ${q.orderAmount} ≠ ${expected}`);
    if (problems.length) {
      await recordOrderEvent(db, {
        orderId: order.id,
        type: "wallet.mismatch",
        actor,
        message: `Binance Pay reports a payment that does not match the order: ${problems.join("; ")}`,
        data: notice.data,
      });
      await raiseAlert(db, {
        kind: "wallet_mismatch",
        dedupeKey: `wallet_mismatch:${order.id}`,
        severity: "critical",
        orderId: order.id,
        message: `Binance Pay order ${q.prepayId} does not match order ${order.id}: ${problems.join("; ")}. Not settled; check it by hand.`,
        data: { ...notice.data },
      });
      return "mismatch";
    }
  }
  // Closed at Binance after expired_at (the reconciler's close, or Binance's own expiry): that is
  // expiry, which expire-orders records; "cancelled" is for a close before the deadline.
  if (notice.status === "closed" && order.status === "created" && order.expiredAt.getTime() <= now.getTime())
    return "ignored";
  const r = await applyPaymentNotice(db, { walletProvider: "binance", notice, actor, now });
  return r.outcome;
}

/** Re-read an order at Binance and act on the answer. */
export async function reconcileBinanceOrder(
  db: Db,
  wallet: BinancePayWallet,
  order: Order,
  actor: string,
  now = new Date(),
): Promise<BinanceOutcome> {
  const q = await wallet.queryOrder(order.walletOrderId!);
  await rememberWalletStatus(db, order.id, q);
  return applyBinanceOrder(db, wallet, order, q, actor, now);
}

/** Read the status of an order's refund at Binance and record the outcome. */
export async function reconcileBinanceRefund(
  db: Db,
  wallet: BinancePayWallet,
  order: Order,
  actor: string,
): Promise<"refunded" | "processing" | "failed" | "not_refunding"> {
  if (order.status !== "refunding") return "not_refunding";
  const r = await wallet.queryRefund(await currentRefundRequestId(db, order.id));
  if (r.status === "succeeded") {
    await completeRefund(db, order.id, r.providerRefundId, actor, r.commissionReturned);
    return "refunded";
  }
  if (r.status === "failed") {
    await recordOrderEvent(db, {
      orderId: order.id,
      type: "wallet.refund_rejected",
      actor,
      message: r.error ?? "Binance Pay rejected the refund",
    });
    return "failed";
  }
  return "processing";
}

/** Remember what Binance said (the reconciler stops asking once it is final; the console can show it). */
export async function rememberWalletStatus(db: Db, orderId: string, q: QueryOrderResult): Promise<void> {
  await db.update(orders).set({ walletStatus: q.status, walletCheckedAt: new Date() }).where(eq(orders.id, orderId));
}
