import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, notInArray, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";
import { recordOrderEvent, type Order } from "@/server/orders/transition-order";
import { logger } from "@/server/logger";
import { applyBinanceOrder, reconcileBinanceRefund, rememberWalletStatus } from "./apply-binance-order";
import type { BinancePayWallet } from "./binance-wallet";
import { pruneWebhookReceipts } from "./webhook";

const ACTOR = "system:reconcile-binance-pay";

export interface ReconcileResult {
  queried: number;
  paid: number;
  paidLate: number;
  closed: number;
  refunded: number;
  errors: number;
}

/**
 * Query Binance Pay for orders whose notification may have been lost, so no payment is lost:
 * - `created` orders older than `quietMs` (a webhook usually arrives within seconds);
 * - orders already expired or cancelled here within `lookbackMs` (Binance may have taken the
 *   payment at the deadline: that makes them paid late, refunded);
 * - `refunding` orders (the refund notification may be lost).
 * At expiry an unpaid order is closed at Binance, after a query: a close fails while a payment
 * is under way (PENDING), and such an order is simply queried again on the next pass.
 */
export async function reconcileBinancePay(
  db: Db,
  wallet: BinancePayWallet,
  opts: { now?: Date; quietMs?: number; lookbackMs?: number; limit?: number } = {},
): Promise<ReconcileResult> {
  const now = opts.now ?? new Date();
  const quietMs = opts.quietMs ?? 60_000;
  const lookbackMs = opts.lookbackMs ?? 2 * 3_600_000;
  const log = logger("reconcile-binance-pay");
  const result: ReconcileResult = { queried: 0, paid: 0, paidLate: 0, closed: 0, refunded: 0, errors: 0 };
  const due = await ordersToReconcile(db, { now, quietMs, lookbackMs, limit: opts.limit ?? 200 });

  for (const order of due) {
    try {
      result.queried++;
      if (order.status === "refunding") {
        if ((await reconcileBinanceRefund(db, wallet, order, ACTOR)) === "refunded") result.refunded++;
        continue;
      }
      const q = await wallet.queryOrder(order.walletOrderId!);
      await rememberWalletStatus(db, order.id, q);
      if (q.status === "INITIAL" && order.status !== "cancelled" && order.expiredAt.getTime() <= now.getTime()) {
        const closed = await wallet.closePayment(order.walletOrderId!);
        if (closed === "closed") {
          result.closed++;
          await recordOrderEvent(db, {
            orderId: order.id,
            type: "wallet.close_requested",
            actor: ACTOR,
            message: "expired_at passed unpaid: closed at Binance Pay",
          });
        }
        continue;
      }
      // Expired or cancelled here, and Binance agrees it is over: nothing to do.
      if (
        order.status !== "created" &&
        q.status !== "PAID" &&
        q.status !== "REFUNDING" &&
        q.status !== "REFUNDED" &&
        q.status !== "FULL_REFUNDED"
      )
        continue;
      const outcome = await applyBinanceOrder(db, wallet, order, q, ACTOR, now);
      if (outcome === "paid") result.paid++;
      if (outcome === "paid_late") result.paidLate++;
    } catch (e) {
      result.errors++;
      log.warn({ err: e, orderId: order.id }, "Binance Pay reconciliation of an order failed; next pass retries");
    }
  }
  await pruneWebhookReceipts(db, new Date(now.getTime() - 2 * wallet.config.webhookToleranceMs));
  return result;
}

/** Binance statuses after which an unpaid order can never be paid. */
const FINAL_UNPAID = ["CANCELED", "EXPIRED", "ERROR"];

/** The Binance orders worth a query now (see reconcileBinancePay). */
export async function ordersToReconcile(
  db: Db,
  o: { now: Date; quietMs: number; lookbackMs: number; limit: number },
): Promise<Order[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.walletProvider, "binance"),
        isNotNull(orders.walletOrderId),
        or(
          and(eq(orders.status, "created"), lte(orders.createdAt, new Date(o.now.getTime() - o.quietMs))),
          // Over here, and possibly paid at the deadline there — until Binance says it is over.
          and(
            inArray(orders.status, ["expired", "cancelled"]),
            gt(orders.expiredAt, new Date(o.now.getTime() - o.lookbackMs)),
            or(isNull(orders.walletStatus), notInArray(orders.walletStatus, FINAL_UNPAID)),
          ),
          eq(orders.status, "refunding"),
        ),
      ),
    )
    .orderBy(asc(orders.updatedAt))
    .limit(o.limit);
}
