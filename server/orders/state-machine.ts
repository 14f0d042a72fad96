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

/**
 * Statuses whose amount `balances.reserved` counts: RESERVING_STATUSES plus `created`. A created
 * order stays counted past expired_at until the expiry job moves it to `expired` (conservative).
 */
export const COUNTED_STATUSES = ["created", ...RESERVING_STATUSES] as const satisfies readonly OrderStatus[];

/**
 * Statuses in which the settlement transfer may already have left the bot. Leaving one of them
 * for a status that does not reserve keeps the amount reserved (a reservation hold) until a
 * balance sync that began afterwards is stored.
 */
export const TRANSFER_MAY_HAVE_LEFT_STATUSES = [
  "settling",
  "settlement_failed",
] as const satisfies readonly OrderStatus[];

export function isCounted(s: OrderStatus): boolean {
  return (COUNTED_STATUSES as readonly OrderStatus[]).includes(s);
}

/**
 * What a status change does to the asset's reservation counter, derived from the two statuses
 * alone so that every transition (including ones added later) is covered:
 *  - "reserve": the order starts counting; "release": it stops;
 *  - "hold": it stops counting by status, but its transfer may have left the bot, so the amount
 *    stays reserved until the next balance sync that began after now;
 *  - "none": no change.
 */
export function reservationEffect(from: OrderStatus, to: OrderStatus): "reserve" | "release" | "hold" | "none" {
  const was = isCounted(from);
  const is = isCounted(to);
  if (was === is) return "none";
  if (is) return "reserve";
  return (TRANSFER_MAY_HAVE_LEFT_STATUSES as readonly OrderStatus[]).includes(from) ? "hold" : "release";
}
