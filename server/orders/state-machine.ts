import type { OrderStatus } from "@/db/schema/orders";

/**
 * The order state machine as a pure table (Hyperswitch-style): every status change in the
 * broker goes through transitionOrder(), which refuses anything not listed here.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ["paid", "paid_late", "expired", "cancelled", "failed"],
  failed: [],
  // A wallet may still report a payment after the user cancelled or the order expired:
  // the money arrived after the deadline, so the broker owes it back.
  cancelled: ["paid_late"],
  expired: ["paid_late"],
  paid: ["settling"],
  paid_late: ["refunding"],
  settling: ["settled", "settlement_failed", "mixpay_refunded"],
  settlement_failed: ["settling", "mixpay_refunded"],
  settled: ["mixpay_refunded"],
  mixpay_refunded: ["refunding"],
  refunding: ["refunded", "refund_failed"],
  refund_failed: ["refunding"],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Orders that still hold part of the bot's balance: MixPay is (or may soon be) owed their
 * amount. A `created` order holds it only until expired_at.
 */
export const RESERVING_STATUSES = ["paid", "settling", "settlement_failed"] as const satisfies readonly OrderStatus[];

export const TERMINAL_STATUSES: readonly OrderStatus[] = (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter(
  (s) => ORDER_TRANSITIONS[s].length === 0,
);
