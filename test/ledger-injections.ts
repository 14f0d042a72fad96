import Decimal from "decimal.js";
import type { Db } from "@/db/client";
import type { BinancePayDouble } from "@/test/doubles/binance/double";
import type { MixinEmulator, Snapshot } from "@/test/doubles/mixin/emulator";
import { brokerDeps } from "@/inngest/deps";
import { balanceOf, bookBalances } from "@/server/ledger/books";
import { processSnapshots, readSnapshotCursor, writeSnapshotCursor } from "@/server/snapshots/process-snapshots";

/*
 * The three faults the reconciliation must flag in one pass (issue 13), shared by the small-traffic
 * test (server/ledger/reconcile.test.ts) and the simulated week (scripts/demo/week.test.ts).
 */

/** Someone sends the bot money nothing explains. */
export function injectStrayTransfer(emu: MixinEmulator, assetId: string, amount = "7"): Snapshot {
  return emu.receive({ assetId, amount, memo: "who knows", from: crypto.randomUUID() });
}

/**
 * The snapshot watcher passes a snapshot without recording it (a bug, a crash between cursor and
 * commit): it records the others of the page and moves its cursor past all of them.
 */
export async function injectLostSnapshot(
  db: Db,
  emu: MixinEmulator,
  assetId: string,
  amount = "0.5",
): Promise<Snapshot> {
  const lost = emu.receive({ assetId, amount, memo: "lost one", from: crypto.randomUUID() });
  const { snapshots } = await brokerDeps().snapshots.readSnapshots(await readSnapshotCursor(db), 500);
  await processSnapshots(
    db,
    snapshots.filter((s) => s.snapshotId !== lost.snapshot_id),
  );
  await writeSnapshotCursor(db, snapshots[snapshots.length - 1]!.createdAt);
  return lost;
}

/** The wallet's balance is one unit (0.00000001) above what the books say. */
export async function injectWalletOffByOne(
  db: Db,
  binance: BinancePayDouble,
  assetId: string,
  currency: string,
): Promise<void> {
  const books = await bookBalances(db);
  binance.setBalance(currency, new Decimal(balanceOf(books, "wallet:binance", assetId)).plus("0.00000001").toFixed(8));
}
