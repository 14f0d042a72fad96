import { sql } from "drizzle-orm";
import { bigint, bigserial, index, jsonb, pgTable, text, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";
import { createdAt, money, tstz } from "./columns";

/**
 * Double-entry books (docs/ledger.md). A journal is one economic event; its entries are signed
 * amounts per (account, asset): debit positive, credit negative, and every journal sums to zero
 * per asset. The database enforces that (a deferred constraint trigger) and refuses UPDATE and
 * DELETE of both tables (hand SQL in the ledger_guards custom migration): a correction is a new journal.
 */
export const ledgerJournals = pgTable(
  "ledger_journals",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    /** What makes the event unique, e.g. `order:<id>:paid`, `snapshot:<id>`: a repeat posts nothing. */
    idempotencyKey: varchar("idempotency_key", { length: 200 }).notNull(),
    /** order_paid, order_paid_late, settlement, mixpay_refund, end_user_refund, wallet_commission, unexplained, opening, difference, label. */
    kind: varchar("kind", { length: 40 }).notNull(),
    orderId: uuid("order_id"),
    snapshotId: uuid("snapshot_id"),
    /** A label journal names the suspense journal it clears (once: unique). */
    resolvesJournalId: bigint("resolves_journal_id", { mode: "bigint" }),
    /** Who or what posted it: "system:…", "operator:<user id>". */
    actor: text("actor").notNull(),
    memo: text("memo").notNull().default(""),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    /** When the money moved (business time; statements group by it). */
    occurredAt: tstz("occurred_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("ledger_journals_idempotency_key").on(t.idempotencyKey),
    uniqueIndex("ledger_journals_resolves_key").on(t.resolvesJournalId),
    index("ledger_journals_snapshot_idx").on(t.snapshotId),
    index("ledger_journals_order_idx").on(t.orderId),
    index("ledger_journals_kind_idx").on(t.kind, t.id),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    journalId: bigint("journal_id", { mode: "bigint" })
      .notNull()
      .references(() => ledgerJournals.id),
    /** mixin_bot, wallet:<provider>, owed_mixpay, owed_end_users, fee_income, wallet_commission, operator_funding, suspense. */
    account: varchar("account", { length: 60 }).notNull(),
    assetId: uuid("asset_id").notNull(),
    /** Signed: debit positive, credit negative. */
    amount: money("amount").notNull(),
    /** Copied from the journal so per-order and per-day questions need no join. */
    orderId: uuid("order_id"),
    occurredAt: tstz("occurred_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("ledger_entries_journal_idx").on(t.journalId),
    index("ledger_entries_account_asset_idx").on(t.account, t.assetId, t.occurredAt),
    index("ledger_entries_order_idx").on(t.orderId).where(sql`order_id is not null`),
  ],
);
