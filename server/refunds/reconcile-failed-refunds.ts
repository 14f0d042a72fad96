import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders, refunds } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { logger } from "@/server/logger";
import { recordOrderEvent, transitionOrder } from "@/server/orders/transition-order";
import type { WalletProvider } from "@/server/wallets/port";
import { completeRefund, currentRefund } from "./refund-end-user";

export interface FailedRefundsResult {
  checked: number;
  recovered: number;
  confirmedFailed: number;
  errors: number;
}

/**
 * `refund_failed` is not the end: the durable function gave up, but the wallet may still have
 * paid (a lost answer, a slow PENDING). Every pass asks the wallet about the current request id:
 * - succeeded → the order is refunded after all (on the timeline);
 * - failed → remembered (wallet_failed_at): from then on an operator retry uses a new request id;
 * - processing or no answer → asked again next pass.
 * A wallet that cannot be queried leaves it to the operator (retry with the same id is safe).
 */
export async function reconcileFailedRefunds(
  db: Db,
  getProvider: (kind: string) => WalletProvider,
  o: { limit?: number; actor?: string } = {},
): Promise<FailedRefundsResult> {
  const actor = o.actor ?? "system:reconcile-refunds";
  const result: FailedRefundsResult = { checked: 0, recovered: 0, confirmedFailed: 0, errors: 0 };
  const due = await db
    .select()
    .from(orders)
    .where(eq(orders.status, "refund_failed"))
    .orderBy(asc(orders.updatedAt))
    .limit(o.limit ?? 100);
  for (const order of due) {
    const refund = await currentRefund(db, order.id);
    if (!refund || refund.walletFailedAt) continue; // confirmed failed: waiting for an operator retry
    const provider = getProvider(order.walletProvider);
    if (!provider.queryRefund) continue;
    result.checked++;
    try {
      const r = await provider.queryRefund(refund.requestId);
      if (r.status === "succeeded") {
        await transitionOrder(db, {
          orderId: order.id,
          from: "refund_failed",
          to: "refunding",
          actor,
          message: `the wallet reports refund ${refund.requestId} succeeded after all`,
        });
        await completeRefund(db, order.id, r.providerRefundId, actor, r.commissionReturned);
        result.recovered++;
      } else if (r.status === "failed") {
        await db
          .update(refunds)
          .set({
            walletFailedAt: new Date(),
            status: "failed",
            lastError: r.error ?? "the wallet reports the refund failed",
          })
          .where(eq(refunds.id, refund.id));
        await recordOrderEvent(db, {
          orderId: order.id,
          type: "wallet.refund_confirmed_failed",
          actor,
          message: `the wallet confirms refund ${refund.requestId} failed; an operator retry will use a new request id`,
          data: { requestId: refund.requestId },
        });
        await raiseAlert(db, {
          kind: "refund_failed",
          dedupeKey: `refund_failed:${order.id}`,
          severity: "critical",
          orderId: order.id,
          message: `The wallet confirms the end-user refund ${refund.requestId} of order ${order.id} failed. Retry it from Refunds (a new request id will be used).`,
        });
        result.confirmedFailed++;
      }
    } catch (e) {
      result.errors++;
      logger("reconcile-refunds").warn(
        { orderId: order.id, error: (e as Error).message },
        "could not query a failed refund; next pass retries",
      );
    }
  }
  return result;
}
