import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt, money, tstz, updatedAt } from "./columns";
import { orders } from "./orders";

export const transferStatus = pgEnum("transfer_status", [
  "pending", // recorded, not yet sent to Mixin
  "sent", // Mixin accepted the signed transaction
  "confirmed", // final on Mixin and acknowledged by MixPay's payment-result API
  "failed", // given up; the order is settlement_failed
]);

/**
 * The settlement transfer of an order to MixPay. request_id is MixPay's trace_id, so Mixin
 * itself refuses to pay twice; the signed raw is kept so a retry resends the same bytes.
 */
export const mixinTransfers = pgTable(
  "mixin_transfers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id),
    requestId: uuid("request_id").notNull(),
    assetId: uuid("asset_id").notNull(),
    amount: money("amount").notNull(),
    opponentId: uuid("opponent_id").notNull(),
    memo: text("memo").notNull(),
    status: transferStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    signedRaw: text("signed_raw"),
    transactionHash: varchar("transaction_hash", { length: 64 }),
    snapshotId: uuid("snapshot_id"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("mixin_transfers_request_id_key").on(t.requestId),
    uniqueIndex("mixin_transfers_order_id_key").on(t.orderId),
  ],
);

export const refundReason = pgEnum("refund_reason", ["mixpay_refund", "paid_late"]);
export const refundStatus = pgEnum("refund_status", ["pending", "processing", "succeeded", "failed"]);

/**
 * A refund to the end user through the order's wallet, one row per attempt generation: request_id
 * is deterministic per (order, generation) — rf<order> first, rf<order>-2 after an operator retry.
 * A new generation is only created once the wallet confirmed the previous one failed
 * (wallet_failed_at), never while it may still succeed.
 */
export const refunds = pgTable(
  "refunds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id),
    /** Sent to the wallet as its idempotency key (e.g. Binance refundRequestId). */
    requestId: varchar("request_id", { length: 64 }).notNull(),
    wallet: varchar("wallet", { length: 20 }).notNull(),
    amount: money("amount").notNull(),
    reason: refundReason("reason").notNull(),
    /** 1 for the first attempt; an operator retry after a confirmed failure adds the next. */
    generation: integer("generation").notNull().default(1),
    status: refundStatus("status").notNull().default("pending"),
    /** When the wallet itself reported this request id failed (by its answer or a query). */
    walletFailedAt: tstz("wallet_failed_at"),
    providerRefundId: text("provider_refund_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("refunds_request_id_key").on(t.requestId),
    uniqueIndex("refunds_order_generation_key").on(t.orderId, t.generation),
  ],
);

export const snapshotKind = pgEnum("snapshot_kind", [
  "settlement", // our own transfer out to MixPay
  "mixpay_refund", // MixPay sent money back with an RF memo
  "top_up", // any other incoming transfer
  "other",
  // An incoming RF memo that did not authenticate (wrong sender, amount, asset, unknown or
  // already-refunded trace, MixPay says the trace did not fail): it changed no order; alerted.
  "unexplained",
  // A snapshot that could not be processed (e.g. bytes the store refuses): kept with the error
  // and alerted, so the cursor moves on and later snapshots are still applied.
  "quarantined",
]);

/** Every Mixin snapshot of the bot that the broker has read, once each (snapshot_id is unique). */
export const mixinSnapshots = pgTable(
  "mixin_snapshots",
  {
    snapshotId: uuid("snapshot_id").primaryKey(),
    assetId: uuid("asset_id").notNull(),
    amount: money("amount").notNull(),
    opponentId: uuid("opponent_id"),
    requestId: text("request_id"),
    transactionHash: varchar("transaction_hash", { length: 64 }),
    /** The memo's raw bytes, hex; always stored, whatever they are. */
    memoHex: text("memo_hex").notNull().default(""),
    /** The memo as UTF-8 text, only when it is valid UTF-8 without NUL (null otherwise). */
    memoText: text("memo_text"),
    kind: snapshotKind("kind").notNull(),
    orderId: uuid("order_id").references(() => orders.id),
    refundCode: varchar("refund_code", { length: 16 }),
    /** Why the snapshot is unexplained or quarantined (what did not match, or the error). */
    issue: text("issue"),
    snapshotCreatedAt: tstz("snapshot_created_at").notNull(),
    processedAt: tstz("processed_at").notNull().defaultNow(),
  },
  (t) => [index("mixin_snapshots_created_idx").on(t.snapshotCreatedAt)],
);

/** Named cursors of background readers (e.g. the Mixin snapshot offset). */
export const syncCursors = pgTable("sync_cursors", {
  name: varchar("name", { length: 64 }).primaryKey(),
  value: text("value").notNull(),
  updatedAt: updatedAt(),
});

/**
 * Transactional outbox: an event is written in the same transaction as the state change that
 * causes it, under a deterministic id, and a reconciler re-sends what was never acknowledged.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: varchar("id", { length: 200 }).primaryKey(),
    name: varchar("name", { length: 100 }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    sentAt: tstz("sent_at"),
    /** A relay (of any instance) is sending this row until then; past it, another may take it over. */
    claimedUntil: tstz("claimed_until"),
    createdAt: createdAt(),
  },
  (t) => [index("outbox_unsent_idx").on(t.createdAt).where(sql`sent_at is null`)],
);

export const attemptKind = pgEnum("attempt_kind", [
  "mixin_transfer",
  "mixpay_confirm",
  "wallet_create",
  "wallet_query",
  "wallet_close",
  "wallet_refund",
  "alert_webhook",
  "alert_mixin_message",
]);
export const attemptOutcome = pgEnum("attempt_outcome", ["started", "succeeded", "failed"]);

/** Every outbound call with an effect, one row per attempt, so operators can list and retry. */
export const outboundAttempts = pgTable(
  "outbound_attempts",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    kind: attemptKind("kind").notNull(),
    orderId: uuid("order_id").references(() => orders.id),
    idempotencyKey: text("idempotency_key").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: attemptOutcome("outcome").notNull().default("started"),
    request: jsonb("request").$type<Record<string, unknown>>(),
    response: jsonb("response").$type<Record<string, unknown>>(),
    error: text("error"),
    startedAt: tstz("started_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    index("outbound_attempts_order_idx").on(t.orderId, t.id),
    index("outbound_attempts_key_idx").on(t.kind, t.idempotencyKey),
  ],
);

export const alertSeverity = pgEnum("alert_severity", ["info", "warning", "critical"]);

/** Alerts for operators; an open alert with the same dedupe key is not raised twice. */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** e.g. "low_balance", "balance_unavailable", "settlement_failed", "refund_failed". */
    kind: varchar("kind", { length: 64 }).notNull(),
    severity: alertSeverity("severity").notNull().default("warning"),
    dedupeKey: varchar("dedupe_key", { length: 200 }).notNull(),
    message: text("message").notNull(),
    assetId: uuid("asset_id"),
    orderId: uuid("order_id").references(() => orders.id),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    occurrences: integer("occurrences").notNull().default(1),
    lastSeenAt: tstz("last_seen_at").notNull().defaultNow(),
    acknowledgedAt: tstz("acknowledged_at"),
    acknowledgedBy: uuid("acknowledged_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("alerts_open_dedupe_key").on(t.dedupeKey).where(sql`acknowledged_at is null`),
    index("alerts_created_idx").on(t.createdAt.desc()),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    actorUserId: uuid("actor_user_id"),
    actorEmail: text("actor_email"),
    action: varchar("action", { length: 100 }).notNull(),
    targetType: varchar("target_type", { length: 50 }).notNull(),
    targetId: text("target_id"),
    before: jsonb("before").$type<unknown>(),
    after: jsonb("after").$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_created_idx").on(t.createdAt.desc())],
);
