import { index, pgTable, primaryKey, text, varchar } from "drizzle-orm/pg-core";
import { tstz } from "./columns";

/**
 * Verified wallet notifications the broker has applied, one row per (provider, nonce): a second
 * delivery with the same nonce is a replay and is not applied again. Rows older than the
 * signature freshness window are useless (a replay that old is refused as stale) and are pruned.
 */
export const walletWebhookReceipts = pgTable(
  "wallet_webhook_receipts",
  {
    provider: varchar("provider", { length: 20 }).notNull(),
    nonce: varchar("nonce", { length: 64 }).notNull(),
    /** When the sender says it signed the notification. */
    signedAt: tstz("signed_at").notNull(),
    bizType: varchar("biz_type", { length: 40 }).notNull(),
    /** Binance bizIdStr (the prepayId), never the lossy numeric bizId. */
    bizId: text("biz_id").notNull(),
    bizStatus: varchar("biz_status", { length: 40 }).notNull(),
    receivedAt: tstz("received_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.nonce] }),
    index("wallet_webhook_receipts_received_idx").on(t.receivedAt),
  ],
);
