import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, ledgerJournals, syncCursors } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import type { BalanceSource } from "@/server/balances/sync-balances";
import { pollSnapshots, type SnapshotSource } from "@/server/snapshots/poll-snapshots";
import { readSnapshotCursor, type IncomingSnapshot } from "@/server/snapshots/process-snapshots";
import { ACCOUNTS, walletAccount, type Account } from "./accounts";
import { balanceOf, bookBalances } from "./books";
import { postJournal } from "./post-journal";
import {
  expectedOwedMixpay,
  inFlightRefunds,
  inFlightSettlements,
  reservationMismatches,
  type ReservationMismatch,
} from "./reconcile-queries";
import { journalForSnapshot } from "./snapshot-postings";

/** A wallet provider that can tell its merchant balance (e.g. Binance Pay's Wallet Balance Query). */
export interface WalletBalanceSource {
  provider: string;
  readBalances(assetIds: string[]): Promise<Map<string, string>>;
}

export interface ReconcileDeps {
  balances: BalanceSource;
  snapshots: SnapshotSource;
  wallets: WalletBalanceSource[];
}

export interface AccountCheck {
  account: Account;
  assetId: string;
  books: string;
  external: string;
  inFlight: string;
  /** external − (books + in flight): what nothing explains; posted to suspense when not zero. */
  difference: string;
  opening: boolean;
}

export interface ReconcileResult {
  at: string;
  checks: AccountCheck[];
  lostSnapshots: string[];
  doublyMatchedSnapshots: string[];
  reservations: ReservationMismatch[];
  newSuspenseItems: number;
  /** Milliseconds per step of the pass (the benchmark reads them). */
  timings: Record<string, number>;
}

export const RECONCILE_SNAPSHOT_CURSOR = "ledger-reconcile-snapshots";
export const RECONCILE_SUSPENSE_CURSOR = "ledger-reconcile-suspense";
export const RECONCILE_LAST = "ledger-reconcile-last";
const ACTOR = "system:reconcile-ledger";

async function readCursor(db: Db, name: string): Promise<string | undefined> {
  const [row] = await db.select().from(syncCursors).where(eq(syncCursors.name, name));
  return row?.value;
}
async function writeCursor(db: Db, name: string, value: string): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ name, value })
    .onConflictDoUpdate({ target: syncCursors.name, set: { value, updatedAt: new Date() } });
}

/**
 * One reconciliation pass (docs/ledger.md, "Reconciliation"):
 * 1. catch the snapshot watcher up (the same door as always), so little is in flight;
 * 2. re-read the bot's snapshots since the last pass and match each to exactly one journal: one
 *    the watcher has passed without a journal is lost, and posted to suspense under its own key;
 * 3. per asset, the books' Mixin bot vs Mixin's unspent outputs, and each wallet account vs the
 *    wallet's balance API, less transfers in flight; the first pass adopts the outside balance as
 *    the opening balance (operator funding), later differences go to suspense;
 * 4. orders that reserve balance vs what the books owe MixPay for them;
 * 5. an alert per new suspense item, naming its snapshot, order or account.
 */
export async function reconcileLedger(
  db: Db,
  deps: ReconcileDeps,
  opts: { now?: Date; maxPages?: number } = {},
): Promise<ReconcileResult> {
  const now = opts.now ?? new Date();
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    timings[name] = Math.round(performance.now() - mark);
    mark = performance.now();
  };
  await pollSnapshots(db, deps.snapshots);
  lap("poll");
  const { lost, doubly } = await matchSnapshots(db, deps.snapshots, opts.maxPages ?? 20);
  lap("matchSnapshots");

  const assetRows = await db.select({ assetId: assets.assetId, symbol: assets.symbol }).from(assets);
  const books = await bookBalances(db);
  lap("bookBalances");
  const assetIds = [
    ...new Set([...assetRows.map((a) => a.assetId), ...[...books.values()].flatMap((m) => [...m.keys()])]),
  ];
  const symbol = new Map(assetRows.map((a) => [a.assetId, a.symbol]));
  const checks: AccountCheck[] = [];

  const mixin = await deps.balances.readBalances(assetIds);
  const settling = await inFlightSettlements(db);
  for (const assetId of assetIds) {
    checks.push(
      await checkAccount(
        db,
        now,
        ACCOUNTS.mixinBot,
        assetId,
        balanceOf(books, ACCOUNTS.mixinBot, assetId),
        mixin.get(assetId) ?? "0",
        settling.get(assetId) ?? "0",
        symbol.get(assetId),
      ),
    );
  }
  for (const w of deps.wallets) {
    const external = await w.readBalances(assetIds);
    const refunding = await inFlightRefunds(db, w.provider);
    for (const [assetId, amount] of external) {
      const account = walletAccount(w.provider);
      checks.push(
        await checkAccount(
          db,
          now,
          account,
          assetId,
          balanceOf(books, account, assetId),
          amount,
          refunding.get(assetId) ?? "0",
          symbol.get(assetId),
        ),
      );
    }
  }

  // Reservations vs the books: per asset every pass; per order (to name them) only on a disagreement.
  const expected = await expectedOwedMixpay(db);
  const disagree = assetIds.some(
    (a) => !new Decimal(expected.get(a) ?? "0").eq(new Decimal(balanceOf(books, ACCOUNTS.owedMixpay, a)).neg()),
  );
  lap("accounts");
  const reservations = disagree ? await reservationMismatches(db) : [];
  lap("reservations");
  for (const m of reservations) {
    await raiseAlert(db, {
      kind: "ledger_reservation_mismatch",
      dedupeKey: `ledger_reservation:${m.orderId}`,
      orderId: m.orderId,
      assetId: m.assetId,
      message: `Order ${m.orderId} is ${m.status} and reserves ${m.reserved}, but the books owe MixPay ${m.booksOwed} for it.`,
      data: { ...m },
    });
  }
  const newSuspenseItems = await alertNewSuspenseItems(db, symbol);
  lap("suspense");
  const result: ReconcileResult = {
    at: now.toISOString(),
    checks,
    lostSnapshots: lost,
    doublyMatchedSnapshots: doubly,
    reservations,
    newSuspenseItems,
    timings,
  };
  await writeCursor(db, RECONCILE_LAST, JSON.stringify(result));
  return result;
}

async function checkAccount(
  db: Db,
  now: Date,
  account: Account,
  assetId: string,
  books: string,
  external: string,
  inFlight: string,
  symbol = assetId,
): Promise<AccountCheck> {
  const difference = new Decimal(external).minus(books).minus(inFlight);
  // A marker per (account, asset) that the opening is done (even when it was zero): sync_cursors
  // names are at most 64 characters, so the pair is hashed.
  const openedKey = `ledger-opened:${createHash("sha1").update(`${account}|${assetId}`).digest("hex")}`;
  const opened = (await readCursor(db, openedKey)) !== undefined;
  const check: AccountCheck = {
    account,
    assetId,
    books,
    external,
    inFlight,
    difference: difference.toFixed(),
    opening: !opened,
  };
  if (!opened) {
    // First pass for this account: what is there already is the operator's opening balance.
    await postJournal(db, {
      key: `opening:${account}:${assetId}`,
      kind: "opening",
      actor: ACTOR,
      memo: `opening balance of ${account} ${symbol}: ${external} (adopted at the first reconciliation)`,
      occurredAt: now,
      data: { books, external, inFlight },
      postings: [
        { account, assetId, amount: difference },
        { account: ACCOUNTS.operatorFunding, assetId, amount: difference.neg() },
      ],
    });
    await writeCursor(db, openedKey, now.toISOString());
    return { ...check, difference: "0" };
  }
  if (!difference.isZero()) {
    await postJournal(db, {
      key: `difference:${account}:${assetId}:${now.toISOString()}`,
      kind: "difference",
      actor: ACTOR,
      memo: `${account} ${symbol} is ${external} outside but ${books} in the books (${inFlight} in flight): ${difference.toFixed()} unexplained`,
      occurredAt: now,
      data: { account, books, external, inFlight },
      postings: [
        { account, assetId, amount: difference },
        { account: ACCOUNTS.suspense, assetId, amount: difference.neg() },
      ],
    });
  }
  return check;
}

/** Step 2: every snapshot the watcher has passed has exactly one journal keyed by its id. */
async function matchSnapshots(
  db: Db,
  source: SnapshotSource,
  maxPages: number,
): Promise<{ lost: string[]; doubly: string[] }> {
  const watcher = await readSnapshotCursor(db);
  let cursor = await readCursor(db, RECONCILE_SNAPSHOT_CURSOR);
  const lost: string[] = [];
  const doubly: string[] = [];
  if (!watcher) return { lost, doubly };
  for (let page = 0; page < maxPages; page++) {
    const { snapshots } = await source.readSnapshots(cursor, 500);
    const passed = snapshots.filter((s) => s.createdAt <= watcher);
    if (passed.length > 0) {
      const ids = passed.map((s) => s.snapshotId);
      const counts = await db
        .select({ id: ledgerJournals.snapshotId, n: sql<number>`count(*)::int` })
        .from(ledgerJournals)
        .where(inArray(ledgerJournals.snapshotId, ids))
        .groupBy(ledgerJournals.snapshotId);
      const n = new Map(counts.map((c) => [c.id, c.n]));
      for (const s of passed) {
        const k = n.get(s.snapshotId) ?? 0;
        if (k === 0 && !new Decimal(s.amount).isZero()) {
          lost.push(s.snapshotId);
          await postLostSnapshot(db, s);
        } else if (k > 1) doubly.push(s.snapshotId);
      }
      cursor = passed[passed.length - 1]!.createdAt;
      await writeCursor(db, RECONCILE_SNAPSHOT_CURSOR, cursor);
    }
    if (passed.length < snapshots.length || snapshots.length < 500) break;
  }
  for (const id of doubly) {
    await raiseAlert(db, {
      kind: "ledger_snapshot_doubly_matched",
      dedupeKey: `ledger_snapshot_doubly:${id}`,
      severity: "critical",
      message: `Mixin snapshot ${id} is matched to more than one journal.`,
      data: { snapshotId: id },
    });
  }
  return { lost, doubly };
}

/** A snapshot the watcher never recorded: its money goes to suspense, with a critical alert. */
async function postLostSnapshot(db: Db, s: IncomingSnapshot): Promise<void> {
  const j = journalForSnapshot({ ...s, memoText: s.memoText ?? undefined }, "lost", undefined, false);
  await postJournal(db, {
    ...j,
    actor: ACTOR,
    memo: `lost snapshot: ${j.memo}; the snapshot watcher passed it without recording it`,
    data: { ...j.data, lost: true },
  });
  await raiseAlert(db, {
    kind: "ledger_snapshot_lost",
    dedupeKey: `ledger_snapshot_lost:${s.snapshotId}`,
    severity: "critical",
    assetId: s.assetId,
    message: `Mixin snapshot ${s.snapshotId} (${s.amount}) was never recorded by the snapshot watcher; its amount is in suspense until an operator explains it.`,
    data: { snapshotId: s.snapshotId, amount: s.amount, opponentId: s.opponentId, memo: s.memoText },
  });
}

/** Step 5: one alert per suspense journal posted since the last pass (an acknowledged one stays acknowledged). */
async function alertNewSuspenseItems(db: Db, symbol: Map<string, string>): Promise<number> {
  const after = BigInt((await readCursor(db, RECONCILE_SUSPENSE_CURSOR)) ?? "0");
  const items = await db
    .select()
    .from(ledgerJournals)
    .where(
      and(
        inArray(ledgerJournals.kind, ["unexplained", "difference"]),
        gt(ledgerJournals.id, after),
        isNull(ledgerJournals.resolvesJournalId),
      ),
    )
    .orderBy(ledgerJournals.id)
    .limit(1000);
  for (const j of items) {
    if (j.data.lost) continue; // already alerted as ledger_snapshot_lost
    const what = j.snapshotId
      ? `Mixin snapshot ${j.snapshotId}`
      : j.orderId
        ? `order ${j.orderId}`
        : `${String(j.data.account ?? "an account")}`;
    await raiseAlert(db, {
      kind: "ledger_unexplained",
      dedupeKey: `ledger_suspense:${j.id}`,
      orderId: j.orderId ?? undefined,
      message: `Unexplained in the books (${what}): ${j.memo}. Label it on the treasury page.`,
      data: {
        journalId: String(j.id),
        snapshotId: j.snapshotId,
        orderId: j.orderId,
        symbol: symbol.get(String(j.data.assetId ?? "")) ?? null,
      },
    });
  }
  if (items.length > 0) await writeCursor(db, RECONCILE_SUSPENSE_CURSOR, String(items[items.length - 1]!.id));
  return items.length;
}
