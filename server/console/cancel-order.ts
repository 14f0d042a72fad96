import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { orderEvents } from "@/db/schema";
import { AppError, AppErrorCode } from "@/server/errors";
import { raiseAlert } from "@/server/alerts/raise-alert";
import type { SessionUser } from "@/server/auth/users";
import { recordOrderEvent, transitionOrder, type Order } from "@/server/orders/transition-order";
import type { WalletProvider } from "@/server/wallets/port";
import { writeAudit } from "./audit";

type Actor = Pick<SessionUser, "id" | "email">;

export interface CancelOrderDeps {
  walletProvider(kind: "demo" | "binance"): WalletProvider;
}

export type WalletCloseOutcome = "closed" | "payment_in_progress" | "failed" | "no_wallet_payment";

export interface CancelOrderResult {
  order: Order;
  /** False when the order was already cancelled: only the wallet close was tried again. */
  cancelled: boolean;
  walletClose: WalletCloseOutcome;
  walletError?: string;
}

/**
 * An operator cancels an open (`created`) order, e.g. one squatting on the bot's balance: it moves
 * to `cancelled` through transitionOrder (which releases its reservation) with an audit row in the
 * same transaction, then the payment is closed at the wallet so the end user can no longer pay it.
 *
 * The wallet close runs after the commit (no lock over a remote call). Its failure is put on the
 * timeline and alerted, never lost; cancelling the already-cancelled order again retries the close
 * (audited again). A payment that still arrives becomes paid_late and is refunded, as after expiry.
 */
export async function cancelOrderByOperator(
  db: Db,
  actor: Actor,
  orderId: string,
  deps: CancelOrderDeps,
): Promise<CancelOrderResult> {
  const { order, changed } = await db.transaction(async (tx) => {
    const r = await transitionOrder(tx, {
      orderId,
      from: "created",
      to: "cancelled",
      actor: `operator:${actor.id}`,
      type: "order.cancelled_by_operator",
      message: `cancelled by ${actor.email}; its reservation is released`,
    });
    if (!r.changed && (await lastWalletCloseEvent(tx, orderId)) !== "wallet.close_failed") {
      throw new AppError(
        AppErrorCode.CONFLICT,
        "the order is already cancelled and there is no failed wallet close to retry",
      );
    }
    await writeAudit(tx, actor, {
      action: r.changed ? "order.cancel" : "order.cancel.retry_wallet_close",
      targetType: "order",
      targetId: orderId,
      before: { status: r.changed ? "created" : r.order.status },
      after: { status: r.order.status },
    });
    return r;
  });
  if (!order.walletOrderId || !order.walletTradeNo)
    return { order, cancelled: changed, walletClose: "no_wallet_payment" };

  const walletActor = `wallet:${order.walletProvider}`;
  try {
    const outcome = await deps
      .walletProvider(order.walletProvider as "demo" | "binance")
      .close({ walletOrderId: order.walletOrderId, walletTradeNo: order.walletTradeNo });
    if (outcome === "closed") {
      await recordOrderEvent(db, {
        orderId,
        type: "wallet.close_requested",
        actor: walletActor,
        message: "closed at the wallet after the operator's cancel",
      });
    } else {
      await recordOrderEvent(db, {
        orderId,
        type: "wallet.close_refused",
        actor: walletActor,
        message: "the wallet refused to close: the end user is paying now; the payment will be refunded (paid_late)",
      });
      await raiseAlert(db, {
        kind: "wallet_close_refused",
        dedupeKey: `wallet_close_refused:${orderId}`,
        severity: "warning",
        orderId,
        message: `Order ${orderId} was cancelled while the end user was paying at ${order.wallet}; expect a paid_late order and a refund.`,
      });
    }
    return { order, cancelled: changed, walletClose: outcome };
  } catch (e) {
    const cause = e instanceof Error ? e.message : String(e);
    await recordOrderEvent(db, {
      orderId,
      type: "wallet.close_failed",
      actor: walletActor,
      message: `the wallet could not close the payment: ${cause}`,
      data: { cause },
    });
    await raiseAlert(db, {
      kind: "wallet_close_failed",
      dedupeKey: `wallet_close_failed:${orderId}`,
      severity: "critical",
      orderId,
      message: `Order ${orderId} is cancelled but ${order.wallet} could not close its payment (${cause}); the end user can still pay it (it would be refunded as paid_late). Cancel it again from the order page to retry the close.`,
      data: { cause, wallet: order.wallet },
    });
    return { order, cancelled: changed, walletClose: "failed", walletError: cause };
  }
}

const CLOSE_EVENTS = ["wallet.close_requested", "wallet.close_refused", "wallet.close_failed"];

/** The outcome of the last wallet close the broker asked for, if any. */
export async function lastWalletCloseEvent(db: DbOrTx, orderId: string): Promise<string | undefined> {
  const [e] = await db
    .select({ type: orderEvents.type })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, orderId), inArray(orderEvents.type, CLOSE_EVENTS)))
    .orderBy(desc(orderEvents.id))
    .limit(1);
  return e?.type;
}
