import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerEntries } from "@/db/schema";

/** Balances of the books: account → asset → signed decimal string (debit positive). */
export type BookBalances = Map<string, Map<string, string>>;

/** Every (account, asset) balance in one grouped scan (ledger_entries_account_asset_idx). */
export async function bookBalances(db: DbOrTx, asOf?: Date): Promise<BookBalances> {
  const rows = await db
    .select({
      account: ledgerEntries.account,
      assetId: ledgerEntries.assetId,
      total: sql<string>`sum(${ledgerEntries.amount})::text`,
    })
    .from(ledgerEntries)
    .where(asOf ? sql`${ledgerEntries.occurredAt} < ${asOf.toISOString()}::timestamptz` : undefined)
    .groupBy(ledgerEntries.account, ledgerEntries.assetId);
  const out: BookBalances = new Map();
  for (const r of rows) {
    if (!out.has(r.account)) out.set(r.account, new Map());
    out.get(r.account)!.set(r.assetId, r.total);
  }
  return out;
}

export function balanceOf(b: BookBalances, account: string, assetId: string): string {
  return b.get(account)?.get(assetId) ?? "0";
}

/** One account's balance per asset. */
export async function accountBalances(db: DbOrTx, account: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ assetId: ledgerEntries.assetId, total: sql<string>`sum(${ledgerEntries.amount})::text` })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, account)))
    .groupBy(ledgerEntries.assetId);
  return new Map(rows.map((r) => [r.assetId, r.total]));
}
