import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { env } from "@/server/env";

/**
 * One transfer per asset at a time across every broker instance. The Mixin port queues an asset's
 * transfers inside one process, but two instances would pick the same unspent outputs; the loser's
 * stored signed raw could then never be sent (its inputs spent by the other), and the settlement
 * would stall until its retries ran out. On PostgreSQL a transaction-scoped advisory lock on the
 * asset is held while the transfer is built, signed and sent (the signed raw is stored on another
 * connection meanwhile). The embedded PGlite store is one process with one connection: no lock.
 *
 * The lock's transaction holds a pooled connection, and its holder needs a second one to store
 * the signed raw. So transfers queue in this process first (per asset, and at most half the pool
 * at once across assets) and only then open the transaction: a burst of payments as large as the
 * pool would otherwise fill it with transactions waiting on the lock, leave the holder without a
 * connection, and hang every request of the broker.
 */
export async function underAssetTransferLock<T>(db: Db, assetId: string, fn: () => Promise<T>): Promise<T> {
  const e = env();
  if (!e.DATABASE_URL) return fn();
  return inAssetTurn(assetId, () =>
    withSlot(Math.max(1, Math.floor(e.DATABASE_POOL_SIZE / 2)), () =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`mixin-transfer:${assetId}`}))`);
        return fn();
      }),
    ),
  );
}

const assetTurns = new Map<string, Promise<unknown>>();

/** Run `fn` after every earlier call for the same asset in this process has settled. */
function inAssetTurn<T>(assetId: string, fn: () => Promise<T>): Promise<T> {
  const next = (assetTurns.get(assetId) ?? Promise.resolve()).then(fn, fn);
  assetTurns.set(assetId, next);
  const forget = () => {
    if (assetTurns.get(assetId) === next) assetTurns.delete(assetId);
  };
  next.then(forget, forget);
  return next;
}

let active = 0;
const waiting: Array<() => void> = [];

/** At most `limit` lock transactions open in this process at once (across assets). */
async function withSlot<T>(limit: number, fn: () => Promise<T>): Promise<T> {
  if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else active++;
  try {
    return await fn();
  } finally {
    const wake = waiting.shift();
    if (wake)
      wake(); // the slot passes straight to the next waiter
    else active--;
  }
}
