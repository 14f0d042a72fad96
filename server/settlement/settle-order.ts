import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { mixinTransfers, orderEvents, orders, outboundAttempts } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { env } from "@/server/env";
import { AppError, AppErrorCode, isAppError } from "@/server/errors";
import { recordOrderEvent, transitionOrder, type Order } from "@/server/orders/transition-order";
import type { MixPayResultApi, SettlementMixin } from "./ports";
import { underAssetTransferLock } from "./transfer-lock";

/**
 * Settlement of a paid order to MixPay, in three idempotent steps that a durable function runs
 * one by one (each may be retried, the process may die between them):
 *   1. begin: paid / settlement_failed → settling, and the transfer row keyed by trace_id;
 *   2. send: the Mixin transfer with request_id = trace_id (Mixin refuses to pay a request twice);
 *   3. confirm: Mixin spent it and MixPay confirms (or does not know the trace and sent nothing back) → settled.
 */
export async function beginSettlement(
  db: Db,
  orderId: string,
  actor: string,
): Promise<{ order: Order; done: boolean }> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw new AppError(AppErrorCode.NOT_FOUND, `order ${orderId} not found`);
  if (
    order.status === "settled" ||
    order.status === "mixpay_refunded" ||
    order.status === "refunding" ||
    order.status === "refunded"
  ) {
    return { order, done: true };
  }
  await db
    .insert(mixinTransfers)
    .values({
      orderId,
      requestId: order.traceId,
      assetId: order.assetId,
      amount: order.amount,
      opponentId: order.opponentId,
      memo: order.memo,
    })
    .onConflictDoNothing();
  if (order.status === "settling") return { order, done: false };
  const r = await transitionOrder(db, {
    orderId,
    from: ["paid", "settlement_failed"],
    to: "settling",
    actor,
    message: `transferring ${order.amount} to MixPay`,
  });
  return { order: r.order, done: false };
}

export async function sendSettlementTransfer(db: Db, orderId: string, mixin: SettlementMixin, actor: string) {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  const [transfer] = await db.select().from(mixinTransfers).where(eq(mixinTransfers.orderId, orderId));
  if (!order || !transfer) throw new AppError(AppErrorCode.NOT_FOUND, `no settlement for order ${orderId}`);
  if (transfer.status === "sent" || transfer.status === "confirmed") {
    return { state: "spent", transactionHash: transfer.transactionHash ?? undefined, alreadyExisted: true };
  }
  const [counted] = await db
    .update(mixinTransfers)
    .set({ attempts: sql`${mixinTransfers.attempts} + 1` })
    .where(eq(mixinTransfers.id, transfer.id))
    .returning({ attempts: mixinTransfers.attempts });
  const [attempt] = await db
    .insert(outboundAttempts)
    .values({
      kind: "mixin_transfer",
      orderId,
      idempotencyKey: transfer.requestId,
      attempt: counted!.attempts,
      request: {
        requestId: transfer.requestId,
        assetId: transfer.assetId,
        amount: transfer.amount,
        opponentId: transfer.opponentId,
      },
    })
    .returning({ id: outboundAttempts.id });
  try {
    const result = await underAssetTransferLock(db, transfer.assetId, () =>
      mixin.transfer(
        {
          requestId: transfer.requestId,
          assetId: transfer.assetId,
          amount: transfer.amount,
          opponentId: transfer.opponentId,
          memo: transfer.memo,
        },
        {
          // Resend exactly the bytes signed before (a crash between signing and sending, a lost
          // answer), never a rebuild that may pick other outputs under the same request id.
          signedRaw: transfer.signedRaw ?? undefined,
          saveSignedRaw: (raw) => storeSignedRaw(db, transfer.id, raw),
        },
      ),
    );
    await db
      .update(outboundAttempts)
      .set({ outcome: "succeeded", response: { ...result }, finishedAt: new Date() })
      .where(eq(outboundAttempts.id, attempt!.id));
    await db
      .update(mixinTransfers)
      .set({ status: "sent", transactionHash: result.transactionHash, snapshotId: result.snapshotId, lastError: null })
      .where(eq(mixinTransfers.id, transfer.id));
    await recordOrderEvent(db, {
      orderId,
      type: "settlement.transfer_sent",
      actor,
      message: result.alreadyExisted ? "Mixin already had this transfer (retry)" : "transfer sent to MixPay",
      data: { requestId: transfer.requestId, transactionHash: result.transactionHash, state: result.state },
    });
    return result;
  } catch (e) {
    const message = (e as Error).message;
    await db
      .update(outboundAttempts)
      .set({ outcome: "failed", error: message, finishedAt: new Date() })
      .where(eq(outboundAttempts.id, attempt!.id));
    await db.update(mixinTransfers).set({ lastError: message }).where(eq(mixinTransfers.id, transfer.id));
    const reason = isAppError(e) ? e.details?.reason : undefined;
    if (reason === "raw_mismatch" || reason === "request_conflict") {
      // Mixin holds other bytes under this trace id. No retry can make that right and none may
      // build anew (two transactions under one request id): stop and page an operator, who
      // compares the transaction Mixin holds (console: transfer, request id) with MixPay's record.
      await raiseAlert(db, {
        kind: "settlement_raw_mismatch",
        dedupeKey: `settlement_raw_mismatch:${orderId}`,
        severity: "critical",
        orderId,
        assetId: transfer.assetId,
        message: `Mixin holds a different transaction than the broker signed for order ${orderId} (request id ${transfer.requestId}): ${message}`,
        data: { reason, requestId: transfer.requestId },
      });
      throw e;
    }
    throw new AppError(AppErrorCode.RETRYABLE, `Mixin transfer failed: ${message}`, { cause: e });
  }
}

/**
 * Keep the first signed raw for a transfer: if another run stored one already, this run's bytes
 * must not be posted (the other's are the ones that may be at Mixin), so it fails retryably and
 * the next attempt resends the stored raw.
 */
async function storeSignedRaw(db: Db, transferId: string, raw: string): Promise<void> {
  const [row] = await db
    .update(mixinTransfers)
    .set({ signedRaw: raw })
    .where(and(eq(mixinTransfers.id, transferId), isNull(mixinTransfers.signedRaw)))
    .returning({ id: mixinTransfers.id });
  if (!row)
    throw new AppError(AppErrorCode.RETRYABLE, "another attempt stored a signed transfer first; resending that one");
}

export type ConfirmOutcome = "settled" | "already_settled" | "mixpay_failed";

/**
 * Settled means: Mixin holds the transfer as spent (final), and either
 *  - MixPay's payment-result API says the trace succeeded ("mixpay_success"), or
 *  - MixPay's API does not know the trace (the guide never promises that API for broker
 *    traces) and no refund came back for `unknownTraceWaitMs` since that was first seen
 *    ("mixpay_unknown_no_refund": MixPay refunds what it cannot use, with an RF memo, so a
 *    spent transfer with no refund after that long was taken).
 * The path taken is on the timeline. Anything short of that is RETRYABLE, checked again with
 * backoff (and by the redrive of stuck orders). If MixPay reports the payment failed, the order
 * stays `settling`: MixPay sends the money back with an RF memo and the snapshot watcher takes
 * it from there; if that refund never comes, findMissingMixPayRefunds alerts and an operator
 * can refund the end user (server/console/dead-end-actions.ts).
 */
export async function confirmSettlement(
  db: Db,
  orderId: string,
  mixin: SettlementMixin,
  mixpay: MixPayResultApi,
  actor: string,
  opts: { unknownTraceWaitMs?: number; now?: Date } = {},
): Promise<ConfirmOutcome> {
  const now = opts.now ?? new Date();
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw new AppError(AppErrorCode.NOT_FOUND, `order ${orderId} not found`);
  if (order.status !== "settling") return "already_settled";
  const tx = await mixin.lookupTransfer(order.traceId);
  if (!tx || tx.state !== "spent") {
    throw new AppError(
      AppErrorCode.RETRYABLE,
      `the Mixin transfer for trace ${order.traceId} is ${tx?.state ?? "not found"}, not spent yet`,
      { details: { reason: "not_spent" } },
    );
  }
  await db
    .update(mixinTransfers)
    .set({ status: "confirmed", transactionHash: tx.transactionHash, snapshotId: tx.snapshotId })
    .where(eq(mixinTransfers.orderId, orderId));
  let status: string;
  try {
    status = await mixpay.paymentStatus(order.traceId);
  } catch (e) {
    throw new AppError(AppErrorCode.RETRYABLE, `MixPay's payment result is unavailable: ${(e as Error).message}`, {
      cause: e,
      details: { reason: "mixpay_unavailable" },
    });
  }
  if (status === "failed") {
    await recordOnce(
      db,
      orderId,
      "settlement.mixpay_failed",
      actor,
      "MixPay reports the payment failed; its refund to the bot is expected",
      { status },
    );
    return "mixpay_failed";
  }
  let path: "mixpay_success" | "mixpay_unknown_no_refund" = "mixpay_success";
  if (status === "unknown") {
    const since = await recordOnce(
      db,
      orderId,
      "settlement.mixpay_unknown",
      actor,
      "MixPay's payment-result API does not know this trace; waiting for a refund before counting it settled",
      { status },
    );
    const waitMs = opts.unknownTraceWaitMs ?? env().SETTLEMENT_UNKNOWN_TRACE_WAIT_MINUTES * 60_000;
    if (now.getTime() - since.getTime() < waitMs) {
      throw new AppError(
        AppErrorCode.RETRYABLE,
        `MixPay does not know trace ${order.traceId}; settled once no refund came for ${Math.round(waitMs / 60_000)} min`,
        { details: { reason: "mixpay_unknown" } },
      );
    }
    path = "mixpay_unknown_no_refund";
  } else if (status !== "success")
    throw new AppError(AppErrorCode.RETRYABLE, `MixPay has not confirmed trace ${order.traceId} yet (${status})`, {
      details: { reason: "mixpay_pending" },
    });
  await transitionOrder(db, {
    orderId,
    from: "settling",
    to: "settled",
    actor,
    message:
      path === "mixpay_success"
        ? `MixPay received ${order.amount} (Mixin transaction spent, MixPay reports success)`
        : `MixPay received ${order.amount} (Mixin transaction spent; MixPay's API does not know the trace and no refund came back in time)`,
    data: { transactionHash: tx.transactionHash, snapshotId: tx.snapshotId, mixpayStatus: status, path },
    patch: { settledAt: new Date() },
  });
  return "settled";
}

/** A timeline fact recorded once per order and type; returns when it was first recorded. */
async function recordOnce(
  db: Db,
  orderId: string,
  type: string,
  actor: string,
  message: string,
  data: Record<string, unknown>,
): Promise<Date> {
  const [first] = await db
    .select({ at: orderEvents.createdAt })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.type, type)))
    .orderBy(asc(orderEvents.id))
    .limit(1);
  if (first) return first.at;
  await recordOrderEvent(db, { orderId, type, actor, message, data });
  return new Date();
}

/** Retries are exhausted: the order stays owed (reserved) and an operator is alerted. */
export async function markSettlementFailed(db: Db, orderId: string, reason: string, actor: string): Promise<void> {
  await db
    .update(mixinTransfers)
    .set({ status: "failed", lastError: reason })
    .where(eq(mixinTransfers.orderId, orderId));
  const r = await transitionOrder(db, { orderId, from: "settling", to: "settlement_failed", actor, message: reason });
  await raiseAlert(db, {
    kind: "settlement_failed",
    dedupeKey: `settlement_failed:${orderId}`,
    severity: "critical",
    orderId,
    assetId: r.order.assetId,
    message: `Settlement of order ${orderId} (trace ${r.order.traceId}) failed: ${reason}`,
  });
}
