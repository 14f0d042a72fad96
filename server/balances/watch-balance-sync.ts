import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { balanceSyncState } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { syncBalances, type BalanceSource, type SyncResult } from "./sync-balances";

const STATE_ID = "mixin";

/**
 * A balance sync that reports on itself: success resets the failure count; each failure is
 * counted in balance_sync_state and, from the `alertAfter`-th failure in a row, raises a critical
 * balance_sync_failing alert. (create_order already refuses with 11002 once the stored balance
 * is older than BALANCE_SYNC_MAX_AGE_SECONDS; this tells an operator why.) The error is rethrown
 * so the durable function retries as before.
 */
export async function syncBalancesWatched(
  db: Db,
  source: BalanceSource,
  opts: { alertAfter: number; now?: Date },
): Promise<SyncResult> {
  let result: SyncResult;
  try {
    result = await syncBalances(db, source, opts.now);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const failures = await recordFailure(db, message);
    if (failures >= opts.alertAfter) {
      await raiseAlert(db, {
        kind: "balance_sync_failing",
        dedupeKey: "balance_sync_failing",
        severity: "critical",
        message: `The Mixin balance sync failed ${failures} times in a row (last: ${message}). create_order answers 11002 once the stored balances are too old.`,
        data: { failures, error: message },
      });
    }
    throw e;
  }
  await db
    .insert(balanceSyncState)
    .values({ id: STATE_ID, consecutiveFailures: 0, lastSuccessAt: new Date() })
    .onConflictDoUpdate({
      target: balanceSyncState.id,
      set: { consecutiveFailures: 0, lastSuccessAt: new Date(), updatedAt: new Date() },
    });
  return result;
}

async function recordFailure(db: Db, error: string): Promise<number> {
  const [row] = await db
    .insert(balanceSyncState)
    .values({ id: STATE_ID, consecutiveFailures: 1, lastError: error, lastFailureAt: new Date() })
    .onConflictDoUpdate({
      target: balanceSyncState.id,
      set: {
        consecutiveFailures: sql`${balanceSyncState.consecutiveFailures} + 1`,
        lastError: error,
        lastFailureAt: new Date(),
        updatedAt: new Date(),
      },
    })
    .returning({ n: balanceSyncState.consecutiveFailures });
  return row!.n;
}
