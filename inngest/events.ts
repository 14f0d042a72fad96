import { eventType } from "inngest";
import { z } from "zod";

/**
 * Every event the broker sends or reacts to. Ids are deterministic (see the outbox rows that
 * carry them), so a re-sent event is deduplicated by Inngest.
 */
const orderRef = z.object({ orderId: z.uuid() });

/** An order was paid in time: settle it to MixPay. */
export const orderPaid = eventType("order/paid", { schema: orderRef });
/** An operator (or the reconciler) asks to settle an order again. */
export const orderSettleRequested = eventType("order/settle.requested", { schema: orderRef });
/** The end user is owed a refund (paid late, or MixPay sent the money back). */
export const orderRefundRequested = eventType("order/refund.requested", { schema: orderRef });
/** An alert was stored; deliver it to the configured channels. */
export const alertRaised = eventType("alert/raised", { schema: z.object({ alertId: z.uuid() }) });
/** Ask for a balance sync now (e.g. after a create_order answered 11002). */
export const balanceSyncRequested = eventType("balance/sync.requested", { schema: z.object({}) });

/** Reconcile the books now (the treasury page); the cron runs it every five minutes anyway. */
export const ledgerReconcileRequested = eventType("ledger/reconcile.requested", { schema: z.object({}) });

export const allEvents = [
  orderPaid,
  orderSettleRequested,
  orderRefundRequested,
  alertRaised,
  balanceSyncRequested,
  ledgerReconcileRequested,
] as const;
