import Decimal from "decimal.js";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { alerts, ledgerEntries, ledgerJournals } from "@/db/schema";
import type { SessionUser } from "@/server/auth/users";
import { writeAudit } from "@/server/console/audit";
import { AppError, AppErrorCode } from "@/server/errors";
import { ACCOUNTS, walletAccount, type Account } from "./accounts";
import { postJournal } from "./post-journal";

export interface SuspenseItem {
  journalId: string;
  kind: string;
  memo: string;
  snapshotId: string | null;
  orderId: string | null;
  occurredAt: Date;
  /** The suspense amounts per asset (signed: negative = money in that nothing explains yet). */
  amounts: { assetId: string; amount: string }[];
  alert: { id: string; message: string; acknowledged: boolean } | null;
}

/** Suspense journals no label has cleared yet, newest first, with the alert that names each. */
export async function listSuspenseItems(db: DbOrTx, limit = 200): Promise<SuspenseItem[]> {
  const label = alias(ledgerJournals, "label");
  const rows = await db
    .select({ j: ledgerJournals })
    .from(ledgerJournals)
    .leftJoin(label, eq(label.resolvesJournalId, ledgerJournals.id))
    .where(and(inArray(ledgerJournals.kind, ["unexplained", "difference"]), isNull(label.id)))
    .orderBy(desc(ledgerJournals.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.j.id);
  const entries = await db
    .select({ journalId: ledgerEntries.journalId, assetId: ledgerEntries.assetId, amount: ledgerEntries.amount })
    .from(ledgerEntries)
    .where(and(inArray(ledgerEntries.journalId, ids), eq(ledgerEntries.account, ACCOUNTS.suspense)));
  const keys = rows.map((r) =>
    r.j.data.lost ? `ledger_snapshot_lost:${r.j.snapshotId}` : `ledger_suspense:${r.j.id}`,
  );
  const alertRows = await db
    .select()
    .from(alerts)
    .where(inArray(alerts.dedupeKey, keys))
    .orderBy(desc(alerts.createdAt));
  return rows.map(({ j }, i) => {
    const a = alertRows.find((x) => x.dedupeKey === keys[i]);
    return {
      journalId: String(j.id),
      kind: j.kind,
      memo: j.memo,
      snapshotId: j.snapshotId,
      orderId: j.orderId,
      occurredAt: j.occurredAt,
      amounts: entries.filter((e) => e.journalId === j.id).map((e) => ({ assetId: e.assetId, amount: e.amount })),
      alert: a ? { id: a.id, message: a.message, acknowledged: a.acknowledgedAt !== null } : null,
    };
  });
}

export type SuspenseLabel = "funding" | "withdrawal" | "rebalance";

/**
 * An operator explains a suspense item: money in from the operator (funding), money out to the
 * operator (withdrawal), or money moved between a wallet account and the bot (rebalance). A new
 * journal moves the amount from suspense to that account (the item itself is never edited); it is
 * keyed by the item, so an item is labelled once, and audited with who and why.
 */
export async function labelSuspenseItem(
  db: DbOrTx,
  actor: Pick<SessionUser, "id" | "email">,
  input: { journalId: string; as: SuspenseLabel; wallet?: string; reason: string },
): Promise<{ journalId: string }> {
  return db.transaction(async (tx) => {
    const id = BigInt(input.journalId);
    const [item] = await tx.select().from(ledgerJournals).where(eq(ledgerJournals.id, id));
    if (!item || !["unexplained", "difference"].includes(item.kind))
      throw new AppError(AppErrorCode.NOT_FOUND, `no suspense item ${input.journalId}`);
    const lines = await tx
      .select()
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.journalId, id), eq(ledgerEntries.account, ACCOUNTS.suspense)));
    if (input.as === "rebalance" && !input.wallet)
      throw new AppError(AppErrorCode.BAD_PARAMETER, "a rebalance names the wallet the money moved from or to");
    for (const l of lines) {
      const incoming = new Decimal(l.amount).isNegative();
      if (input.as === "funding" && !incoming)
        throw new AppError(
          AppErrorCode.BAD_PARAMETER,
          "money that left cannot be funding; label it a withdrawal or a rebalance",
        );
      if (input.as === "withdrawal" && incoming)
        throw new AppError(
          AppErrorCode.BAD_PARAMETER,
          "money that came in cannot be a withdrawal; label it funding or a rebalance",
        );
    }
    const target: Account = input.as === "rebalance" ? walletAccount(input.wallet!) : ACCOUNTS.operatorFunding;
    const r = await postJournal(tx, {
      key: `label:${input.journalId}`,
      kind: "label",
      actor: `operator:${actor.id}`,
      memo: `${input.as}${input.wallet ? ` (${input.wallet})` : ""}: ${input.reason}`,
      resolvesJournalId: id,
      orderId: item.orderId,
      occurredAt: item.occurredAt,
      data: { as: input.as, wallet: input.wallet ?? null, reason: input.reason, by: actor.email },
      postings: lines.flatMap((l) => [
        { account: ACCOUNTS.suspense, assetId: l.assetId, amount: new Decimal(l.amount).neg() },
        { account: target, assetId: l.assetId, amount: new Decimal(l.amount) },
      ]),
    });
    if (!r.posted) throw new AppError(AppErrorCode.CONFLICT, `suspense item ${input.journalId} is already labelled`);
    await writeAudit(tx, actor, {
      action: "ledger.label_suspense",
      targetType: "ledger_journal",
      targetId: input.journalId,
      before: { kind: item.kind, memo: item.memo },
      after: { as: input.as, wallet: input.wallet ?? null, reason: input.reason, journalId: String(r.journalId) },
    });
    // The alert that named the item is answered by the label.
    await tx
      .update(alerts)
      .set({ acknowledgedAt: new Date(), acknowledgedBy: actor.id })
      .where(
        and(
          inArray(alerts.dedupeKey, [`ledger_suspense:${input.journalId}`, `ledger_snapshot_lost:${item.snapshotId}`]),
          isNull(alerts.acknowledgedAt),
        ),
      );
    return { journalId: String(r.journalId) };
  });
}

/** Used by tests and the console: the suspense balance of one asset. */
export async function suspenseBalance(db: DbOrTx, assetId: string): Promise<string> {
  const [r] = await db
    .select({ total: sql<string>`coalesce(sum(${ledgerEntries.amount}), 0)::text` })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.account, ACCOUNTS.suspense), eq(ledgerEntries.assetId, assetId)));
  return r?.total ?? "0";
}
