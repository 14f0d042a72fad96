import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { createdAt, money, rate, tstz, updatedAt } from "./columns";

/**
 * Order states. The legal moves between them live in server/orders/state-machine.ts;
 * every change goes through it and leaves a row in order_events.
 */
export const ORDER_STATUSES = [
  "created", // links handed to MixPay, waiting for the end user to pay; reserves balance until expired_at
  "failed", // the wallet could not create the payment; create_order answered 11002
  "cancelled", // the end user cancelled at the wallet before paying
  "expired", // not paid by expired_at; reservation released
  "paid", // paid in time; amount owed to MixPay (reserved)
  "paid_late", // paid after expired_at; the broker owes the end user a refund
  "settling", // the Mixin transfer to MixPay is under way
  "settled", // MixPay received the transfer
  "settlement_failed", // transfer retries exhausted; still owed (reserved); an operator may retry
  "mixpay_refunded", // MixPay sent the money back (RF memo); the end user is owed a refund
  "refunding", // the wallet refund to the end user is under way
  "refunded", // the end user got their money back
  "refund_failed", // the wallet refund failed after retries; an operator may retry
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const orderStatus = pgEnum("order_status", ORDER_STATUSES);

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** MixPay's id for the payment; also the Mixin request_id of the settlement transfer. */
    traceId: uuid("trace_id").notNull(),
    payeeId: uuid("payee_id").notNull(),
    wallet: varchar("wallet", { length: 20 }).notNull(),
    assetId: uuid("asset_id").notNull(),
    /** What MixPay must receive, in asset units. */
    amount: money("amount").notNull(),
    feeRate: rate("fee_rate").notNull(),
    /** amount × feeRate rounded up to 8 decimals; kept by the broker. */
    fee: money("fee").notNull(),
    /** amount + fee: what the end user pays at the wallet. */
    payAmount: money("pay_amount").notNull(),
    /** Passed through untouched to the settlement transfer. */
    memo: text("memo").notNull(),
    expiredAt: tstz("expired_at").notNull(),
    returnUrl: text("return_url").notNull(),
    /** MixPay's Mixin bot, the recipient of the settlement transfer. */
    opponentId: uuid("opponent_id").notNull(),
    /** sha256 of the canonical create_order parameters: a repeat with other fields is refused. */
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    status: orderStatus("status").notNull().default("created"),
    statusReason: text("status_reason"),
    /** The provider that served this order (demo, binance), fixed at creation. */
    walletProvider: varchar("wallet_provider", { length: 20 }).notNull(),
    /** The provider's own order id (e.g. Binance prepayId) and our trade number there. */
    walletOrderId: text("wallet_order_id"),
    walletTradeNo: text("wallet_trade_no"),
    /** The provider's own status of the payment when last queried (e.g. Binance PAID, CANCELED). */
    walletStatus: varchar("wallet_status", { length: 32 }),
    walletCheckedAt: tstz("wallet_checked_at"),
    checkoutUrl: text("checkout_url"),
    deepLink: text("deep_link"),
    universalUrl: text("universal_url"),
    paidAt: tstz("paid_at"),
    settledAt: tstz("settled_at"),
    refundedAt: tstz("refunded_at"),
    /** MixPay's refund reason code from an RF memo, e.g. "40025". */
    mixpayRefundCode: varchar("mixpay_refund_code", { length: 16 }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("orders_trace_id_key").on(t.traceId),
    // History pages, newest first, keyset on (created_at, id). Ascending columns on purpose:
    // a backward index scan yields `ORDER BY created_at DESC, id DESC` (DESC means NULLS FIRST);
    // a "DESC NULLS LAST" index would not match that order and the planner would sort instead
    // (measured in bench/store-scale.ts: 143 ms → under a millisecond at 100k orders).
    index("orders_payee_created_idx").on(t.payeeId, t.createdAt, t.id),
    index("orders_created_idx").on(t.createdAt, t.id),
    index("orders_status_created_idx").on(t.status, t.createdAt, t.id),
    // Reservation sum per asset over the states that still owe MixPay.
    index("orders_reserving_idx")
      .on(t.assetId, t.status)
      .where(sql`${t.status} in ('created','paid','settling','settlement_failed')`),
    uniqueIndex("orders_wallet_trade_no_key").on(t.walletProvider, t.walletTradeNo),
  ],
);

/** Append-only timeline of an order: every state change and notable fact, with its cause. */
export const orderEvents = pgTable(
  "order_events",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id),
    /** e.g. "order.created", "order.paid", "settlement.transfer_sent", "wallet.create_failed". */
    type: varchar("type", { length: 64 }).notNull(),
    fromStatus: orderStatus("from_status"),
    toStatus: orderStatus("to_status"),
    /** Who or what caused it: "mixpay", "wallet:demo", "system:settle-order", "operator:<user id>". */
    actor: text("actor").notNull(),
    message: text("message").notNull().default(""),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("order_events_order_idx").on(t.orderId, t.id)],
);
