import { desc, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { orders, outboundAttempts, refunds } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { AppError, AppErrorCode } from "@/server/errors";
import { transitionOrder } from "@/server/orders/transition-order";
import type { WalletProvider } from "@/server/wallets/port";

/**
 * The refund id sent to the wallet: deterministic per order and generation, so a retry never
 * refunds twice. Generation 1 is rf<order hex>; an operator retry after the wallet confirmed
 * the failure is rf<order hex>-2, -3, … (never random).
 */
export function refundRequestIdFor(orderId: string, generation = 1): string {
  const base = `rf${orderId.replace(/-/g, "")}`;
  return generation <= 1 ? base : `${base}-${generation}`;
}

export type RefundRow = typeof refunds.$inferSelect;

/** The order's current refund attempt (highest generation), if any. */
export async function currentRefund(db: DbOrTx, orderId: string): Promise<RefundRow | undefined> {
  const [row] = await db
    .select()
    .from(refunds)
    .where(eq(refunds.orderId, orderId))
    .orderBy(desc(refunds.generation))
    .limit(1);
  return row;
}

/** The request id the wallet knows the order's current refund by. */
export async function currentRefundRequestId(db: DbOrTx, orderId: string): Promise<string> {
  return (await currentRefund(db, orderId))?.requestId ?? refundRequestIdFor(orderId);
}

const REFUNDABLE: readonly OrderStatus[] = ["mixpay_refunded", "paid_late", "refund_failed"];

export type RefundOutcome = "refunded" | "processing" | "already_refunded";

/**
 * Refund the end user through the order's wallet. The whole amount they paid (amount + fee) goes
 * back: the payment did not complete, so the broker keeps no fee. The order moves to `refunding`
 * before the wallet is called; a failure leaves it there and throws, so the caller (a durable
 * function) retries with the same request id; when retries are exhausted the caller marks it
 * refund_failed via markRefundFailed().
 */
export async function refundEndUser(
  db: Db,
  orderId: string,
  getProvider: (kind: string) => WalletProvider,
  actor = "system:refund-end-user",
): Promise<RefundOutcome> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw new AppError(AppErrorCode.NOT_FOUND, `order ${orderId} not found`);
  if (order.status === "refunded") return "already_refunded";
  if (order.status !== "refunding" && !REFUNDABLE.includes(order.status)) {
    throw new AppError(AppErrorCode.ILLEGAL_TRANSITION, `order ${orderId} is ${order.status}; nothing to refund`);
  }
  if (!order.walletOrderId)
    throw new AppError(AppErrorCode.INTERNAL, `order ${orderId} has no wallet payment to refund`);

  if (!(await currentRefund(db, orderId))) {
    await db
      .insert(refunds)
      .values({
        orderId,
        requestId: refundRequestIdFor(orderId),
        wallet: order.wallet,
        amount: order.payAmount,
        reason: order.mixpayRefundCode ? "mixpay_refund" : "paid_late",
      })
      .onConflictDoNothing();
  }
  const refund = (await currentRefund(db, orderId))!;
  const requestId = refund.requestId;

  if (order.status !== "refunding") {
    await transitionOrder(db, {
      orderId,
      from: REFUNDABLE,
      to: "refunding",
      actor,
      message: `refunding ${order.payAmount} through ${order.walletProvider}`,
      data: { requestId },
    });
  }

  const attemptNo = refund.attempts + 1;
  await db.update(refunds).set({ attempts: attemptNo, status: "processing" }).where(eq(refunds.id, refund.id));
  const [attempt] = await db
    .insert(outboundAttempts)
    .values({
      kind: "wallet_refund",
      orderId,
      idempotencyKey: requestId,
      attempt: attemptNo,
      request: { requestId, amount: order.payAmount, wallet: order.wallet },
    })
    .returning({ id: outboundAttempts.id });

  const provider = getProvider(order.walletProvider);
  let result;
  try {
    result = await provider.refund({
      orderId,
      walletOrderId: order.walletOrderId,
      refundRequestId: requestId,
      amount: order.payAmount,
      reason: order.mixpayRefundCode ? `MixPay refund ${order.mixpayRefundCode}` : "paid after expiry",
    });
  } catch (e) {
    const message = (e as Error).message;
    await db
      .update(outboundAttempts)
      .set({ outcome: "failed", error: message, finishedAt: new Date() })
      .where(eq(outboundAttempts.id, attempt!.id));
    await db.update(refunds).set({ lastError: message }).where(eq(refunds.id, refund.id));
    throw new AppError(AppErrorCode.RETRYABLE, `wallet refund failed: ${message}`, { cause: e });
  }
  await db
    .update(outboundAttempts)
    .set({
      outcome: result.status === "failed" ? "failed" : "succeeded",
      response: { ...result },
      error: result.error,
      finishedAt: new Date(),
    })
    .where(eq(outboundAttempts.id, attempt!.id));

  if (result.status === "failed") {
    // The wallet itself answered that this request id failed: only now may an operator retry
    // under a new request id (see retryFailedRefund).
    await db
      .update(refunds)
      .set({ lastError: result.error ?? "refused", walletFailedAt: refund.walletFailedAt ?? new Date() })
      .where(eq(refunds.id, refund.id));
    if (result.errorCode === "insufficient_balance") {
      // Refunds are paid from the broker's account at the wallet, not from the Mixin bot: an
      // operator must top it up; the durable function keeps retrying meanwhile.
      await raiseAlert(db, {
        kind: "wallet_balance_insufficient",
        dedupeKey: `wallet_balance_insufficient:${order.wallet}`,
        severity: "critical",
        orderId,
        message: `The ${order.wallet} wallet account cannot pay the refund of ${order.payAmount} for order ${orderId}: ${result.error ?? "insufficient balance"}. Top up the broker's ${order.wallet} balance.`,
        data: { wallet: order.wallet, amount: order.payAmount, requestId },
      });
      throw new AppError(
        AppErrorCode.RETRYABLE,
        `insufficient ${order.wallet} balance for the refund: ${result.error ?? ""}`,
        { details: { reason: "insufficient_balance" } },
      );
    }
    throw new AppError(AppErrorCode.RETRYABLE, `wallet refused the refund: ${result.error ?? "no reason"}`);
  }
  if (result.status === "processing") {
    await db.update(refunds).set({ providerRefundId: result.providerRefundId }).where(eq(refunds.id, refund.id));
    return "processing";
  }
  await completeRefund(db, orderId, result.providerRefundId, actor, result.commissionReturned);
  return "refunded";
}

/** The wallet confirmed the refund (synchronously, by notification or by query). */
export async function completeRefund(
  db: Db,
  orderId: string,
  providerRefundId: string | undefined,
  actor: string,
  commissionReturned?: string,
): Promise<void> {
  const refund = await currentRefund(db, orderId);
  if (refund)
    await db
      .update(refunds)
      .set({ status: "succeeded", providerRefundId, lastError: null, walletFailedAt: null })
      .where(eq(refunds.id, refund.id));
  await transitionOrder(db, {
    orderId,
    from: "refunding",
    to: "refunded",
    actor,
    message: "the wallet refunded the end user",
    patch: { refundedAt: new Date() },
    // commissionReturned: what the wallet gave back of its commission; the books post it with the refund.
    data: { providerRefundId, ...(commissionReturned ? { commissionReturned } : {}) },
  });
}

/** Retries are exhausted: leave the order for an operator and say why. */
export async function markRefundFailed(db: Db, orderId: string, reason: string, actor: string): Promise<void> {
  const refund = await currentRefund(db, orderId);
  if (refund) await db.update(refunds).set({ status: "failed", lastError: reason }).where(eq(refunds.id, refund.id));
  await transitionOrder(db, { orderId, from: "refunding", to: "refund_failed", actor, message: reason });
}
