import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { AppError, AppErrorCode } from "@/server/errors";
import type { PaymentNotice } from "@/server/wallets/port";
import { recordOrderEvent, transitionOrder, type Order } from "./transition-order";

export type NoticeOutcome = "paid" | "paid_late" | "cancelled" | "duplicate" | "ignored";

/**
 * Apply what a wallet says about a payment, once. The demo checkout and every real wallet's
 * verified webhook (or reconciler query) end here, so all wallets share one path:
 * - paid by expired_at → `paid`, and settlement to MixPay is queued (outbox event order/paid);
 * - paid after expired_at, or after the order expired or was cancelled → `paid_late`, and a
 *   refund to the end user is queued (the spec: "if the user pays after this time, please refund
 *   the user by yourself");
 * - closed at the wallet before paying → `cancelled`;
 * - a repeat of something already applied changes nothing (it is noted on the timeline).
 */
export async function applyPaymentNotice(
  db: Db,
  input: { walletProvider: string; notice: PaymentNotice; actor: string; now?: Date },
): Promise<{ outcome: NoticeOutcome; order: Order }> {
  const { notice, actor } = input;
  const now = input.now ?? new Date();
  const [order] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.walletProvider, input.walletProvider), eq(orders.walletOrderId, notice.walletOrderId)));
  if (!order)
    throw new AppError(AppErrorCode.NOT_FOUND, `no order for ${input.walletProvider} payment ${notice.walletOrderId}`);

  if (notice.status === "pending") return { outcome: "ignored", order };

  if (notice.status === "closed") {
    if (order.status !== "created") return duplicate(db, order, actor, notice);
    const r = await transitionOrder(db, {
      orderId: order.id,
      from: "created",
      to: "cancelled",
      actor,
      type: "wallet.closed",
      message: "the payment was closed at the wallet before it was paid",
      data: notice.data,
    });
    return { outcome: r.changed ? "cancelled" : "duplicate", order: r.order };
  }

  const paidAt = notice.paidAt ?? now;
  const late = paidAt.getTime() > order.expiredAt.getTime();
  const payable: OrderStatus[] = ["created", "expired", "cancelled"];
  if (!payable.includes(order.status)) return duplicate(db, order, actor, notice);
  // Paid in time but the order already expired or was cancelled: the money is owed back.
  const to: OrderStatus = late || order.status !== "created" ? "paid_late" : "paid";
  const r = await transitionOrder(db, {
    orderId: order.id,
    from: to === "paid" ? "created" : ["created", "expired", "cancelled"],
    to,
    actor,
    type: to === "paid" ? "wallet.paid" : "wallet.paid_late",
    message:
      to === "paid"
        ? `the end user paid ${order.payAmount}; settlement to MixPay queued`
        : `the end user paid ${order.payAmount} after the order ${order.status === "created" ? "expired" : `was ${order.status}`}; a refund to the end user is queued`,
    data: { ...notice.data, paidAt: paidAt.toISOString(), expiredAt: order.expiredAt.toISOString() },
    patch: { paidAt },
    events:
      to === "paid"
        ? [{ id: `order.paid/${order.id}`, name: "order/paid", data: { orderId: order.id } }]
        : [{ id: `order.refund/${order.id}`, name: "order/refund.requested", data: { orderId: order.id } }],
  });
  if (!r.changed) return duplicate(db, r.order, actor, notice);
  return { outcome: to, order: r.order };
}

async function duplicate(db: Db, order: Order, actor: string, notice: PaymentNotice) {
  await recordOrderEvent(db, {
    orderId: order.id,
    type: "wallet.duplicate_notice",
    actor,
    message: `the wallet reported "${notice.status}" again; the order is ${order.status}, nothing changed`,
  });
  return { outcome: "duplicate" as const, order };
}
