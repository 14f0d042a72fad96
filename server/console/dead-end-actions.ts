import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orderEvents, orders, outbox, refunds } from "@/db/schema";
import type { SessionUser } from "@/server/auth/users";
import { AppError, AppErrorCode } from "@/server/errors";
import { transitionOrder } from "@/server/orders/transition-order";
import { currentRefund, refundRequestIdFor } from "@/server/refunds/refund-end-user";
import { writeAudit } from "./audit";

type Actor = Pick<SessionUser, "id" | "email">;

/**
 * Operator retry of a `refund_failed` refund (audited). The request id changes only when the
 * wallet has confirmed the current one failed (wallet_failed_at, from its answer or the
 * reconciler's query): a new generation rf<order>-N is added. Otherwise the same request id is
 * sent again — the wallet deduplicates it, so a refund that may still succeed is never doubled.
 */
export async function retryFailedRefund(db: Db, actor: Actor, orderId: string) {
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
    if (!order) throw new AppError(AppErrorCode.NOT_FOUND, "no such order");
    if (order.status !== "refund_failed")
      throw new AppError(AppErrorCode.CONFLICT, `order ${orderId} is ${order.status}, not refund_failed`);
    const before = await currentRefund(tx, orderId);
    let after = before;
    if (before?.walletFailedAt) {
      const generation = before.generation + 1;
      [after] = await tx
        .insert(refunds)
        .values({
          orderId,
          requestId: refundRequestIdFor(orderId, generation),
          generation,
          wallet: before.wallet,
          amount: before.amount,
          reason: before.reason,
        })
        .returning();
    }
    const stamp = Date.now();
    await tx.insert(outbox).values({
      id: `order.refund/${orderId}/retry-${stamp}`,
      name: "order/refund.requested",
      data: { orderId, retriedBy: actor.id },
    });
    await writeAudit(tx, actor, {
      action: "refund.retry",
      targetType: "order",
      targetId: orderId,
      before: {
        status: order.status,
        requestId: before?.requestId ?? null,
        walletFailedAt: before?.walletFailedAt ?? null,
      },
      after: { requestId: after?.requestId ?? refundRequestIdFor(orderId), newRequestId: after?.id !== before?.id },
    });
    return {
      orderId,
      requestId: after?.requestId ?? refundRequestIdFor(orderId),
      newRequestId: after?.id !== before?.id,
    };
  });
}

/**
 * The way out of "MixPay reported the payment failed and its refund never came" (audited, with
 * the operator's note): the end user is refunded now, as if MixPay's refund had arrived
 * (settling → mixpay_refunded, which queues the wallet refund). Chosen over "retry settlement"
 * because the Mixin transfer is spent and its request id can never pay again; the broker then
 * recovers the money from MixPay out of band. A late MixPay refund for the trace is recorded as
 * an unexplained transfer (the order is no longer waiting) and alerted, never refunded twice.
 */
export async function refundWithoutMixPayRefund(db: Db, actor: Actor, orderId: string, note: string) {
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
    if (!order) throw new AppError(AppErrorCode.NOT_FOUND, "no such order");
    const [failed] = await tx
      .select({ at: orderEvents.createdAt })
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.type, "settlement.mixpay_failed")))
      .limit(1);
    if (order.status !== "settling" || !failed) {
      throw new AppError(
        AppErrorCode.CONFLICT,
        `order ${orderId} is ${order.status}${failed ? "" : " and MixPay never reported it failed"}; nothing to resolve`,
      );
    }
    const r = await transitionOrder(tx, {
      orderId,
      from: "settling",
      to: "mixpay_refunded",
      actor: `operator:${actor.id}`,
      type: "order.mixpay_refund_missing_resolved",
      message: `MixPay reported the payment failed and never sent the money back; an operator refunds the end user now: ${note}`,
      data: { note, mixpayFailedAt: failed.at.toISOString() },
      events: [{ id: `order.refund/${orderId}`, name: "order/refund.requested", data: { orderId } }],
    });
    await writeAudit(tx, actor, {
      action: "settlement.refund_without_mixpay_refund",
      targetType: "order",
      targetId: orderId,
      before: { status: order.status },
      after: { status: r.order.status, note },
    });
    return { orderId, status: r.order.status };
  });
}
