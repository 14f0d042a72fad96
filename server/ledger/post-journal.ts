import Decimal from "decimal.js";
import type { DbOrTx } from "@/db/client";
import { ledgerEntries, ledgerJournals } from "@/db/schema";
import { AppError, AppErrorCode } from "@/server/errors";
import type { Account, JournalKind } from "./accounts";

export interface Posting {
  account: Account;
  assetId: string;
  /** Signed decimal string: debit positive, credit negative. */
  amount: string | Decimal;
}

export interface JournalInput {
  /** Unique per economic event (`order:<id>:paid`, `snapshot:<id>`): a repeat posts nothing. */
  key: string;
  kind: JournalKind;
  actor: string;
  memo?: string;
  orderId?: string | null;
  snapshotId?: string | null;
  resolvesJournalId?: bigint | null;
  data?: Record<string, unknown>;
  occurredAt: Date;
  postings: Posting[];
}

export interface PostResult {
  posted: boolean;
  journalId?: bigint;
}

/**
 * Write one balanced journal, exactly once per key, inside the caller's transaction. Lines of the
 * same (account, asset) are merged and zero lines dropped. The sum is checked here for a clear
 * message; the database checks it again at commit (ledger_entries_balanced) whatever the caller.
 */
export async function postJournal(db: DbOrTx, j: JournalInput): Promise<PostResult> {
  const merged = new Map<string, { account: Account; assetId: string; amount: Decimal }>();
  for (const p of j.postings) {
    const k = `${p.account}|${p.assetId}`;
    const prev = merged.get(k);
    const amount = new Decimal(p.amount);
    if (prev) prev.amount = prev.amount.plus(amount);
    else merged.set(k, { account: p.account, assetId: p.assetId, amount });
  }
  const lines = [...merged.values()].filter((l) => !l.amount.isZero());
  if (lines.length === 0) return { posted: false };
  const perAsset = new Map<string, Decimal>();
  for (const l of lines) perAsset.set(l.assetId, (perAsset.get(l.assetId) ?? new Decimal(0)).plus(l.amount));
  for (const [assetId, sum] of perAsset) {
    if (!sum.isZero())
      throw new AppError(
        AppErrorCode.INTERNAL,
        `journal ${j.key} does not balance: asset ${assetId} sums to ${sum.toFixed()}`,
      );
  }
  // Its own transaction (a savepoint inside the caller's): the journal row and its entries commit
  // together, which the deferred balance check needs when the caller passes a bare handle.
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(ledgerJournals)
      .values({
        idempotencyKey: j.key,
        kind: j.kind,
        actor: j.actor,
        memo: j.memo ?? "",
        orderId: j.orderId ?? null,
        snapshotId: j.snapshotId ?? null,
        resolvesJournalId: j.resolvesJournalId ?? null,
        data: j.data ?? {},
        occurredAt: j.occurredAt,
      })
      .onConflictDoNothing({ target: ledgerJournals.idempotencyKey })
      .returning({ id: ledgerJournals.id });
    if (!row) return { posted: false };
    await tx.insert(ledgerEntries).values(
      lines.map((l) => ({
        journalId: row.id,
        account: l.account,
        assetId: l.assetId,
        amount: l.amount.toFixed(8),
        orderId: j.orderId ?? null,
        occurredAt: j.occurredAt,
      })),
    );
    return { posted: true, journalId: row.id };
  });
}
