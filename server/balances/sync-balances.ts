import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, balances } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { dec } from "@/server/money";
import { releaseHoldsBefore, rowsOf } from "@/server/orders/reservations";

export interface BalanceSource {
  /** The bot's balance per asset id (sum of unspent outputs), decimal strings. */
  readBalances(assetIds: string[]): Promise<Map<string, string>>;
  /** USD prices per asset id, decimal strings ("0" when unknown). */
  readAssetPrices(assetIds: string[]): Promise<Map<string, string>>;
}

export interface SyncResult {
  synced: number;
  lowBalance: string[];
}

/**
 * Copy the Mixin bot's balances and prices into the store, where create_order and assets/range
 * read them (the spec's 10-second worker). A balance under its asset's threshold raises a
 * low-balance alert (deduplicated while open).
 */
export async function syncBalances(db: Db, source: BalanceSource, now = new Date()): Promise<SyncResult> {
  const rows = await db.select().from(assets);
  const ids = rows.map((a) => a.assetId);
  if (ids.length === 0) return { synced: 0, lowBalance: [] };
  // The database clock before Mixin is read: holds placed before it are in the balances read now.
  const syncStartedAt = await databaseNow(db);
  const [amounts, prices] = await Promise.all([source.readBalances(ids), source.readAssetPrices(ids)]);
  const balanceOf = (assetId: string) => amounts.get(assetId) ?? "0";
  // A price of 0 (or none) means unknown: the previous price stays.
  const priced = rows.flatMap((a) => {
    const price = prices.get(a.assetId);
    return price !== undefined && dec(price).gt(0) ? [{ assetId: a.assetId, price }] : [];
  });
  // Two statements per pass, whatever the number of assets (a row at a time cost ~1 s at 200 assets).
  await db.transaction(async (tx) => {
    await tx
      .insert(balances)
      .values(rows.map((a) => ({ assetId: a.assetId, balance: balanceOf(a.assetId), syncedAt: now, syncStartedAt })))
      .onConflictDoUpdate({
        target: balances.assetId,
        set: { balance: sql`excluded.balance`, syncedAt: now, syncStartedAt, updatedAt: now },
        // Two overlapping syncs (two instances): the one that began later wins, never the older read.
        setWhere: sql`${balances.syncStartedAt} is null or ${balances.syncStartedAt} < excluded.sync_started_at`,
      });
    // The money of transfers recorded before this sync began is gone from the balance just stored.
    await releaseHoldsBefore(tx, syncStartedAt);
    if (priced.length > 0) {
      const values = sql.join(
        priced.map((p) => sql`(${p.assetId}::uuid, ${p.price}::numeric)`),
        sql`, `,
      );
      await tx.execute(
        sql`update ${assets} set price_usd = v.price, price_updated_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz from (values ${values}) as v(asset_id, price) where ${assets.assetId} = v.asset_id`,
      );
    }
  });
  const lowBalance: string[] = [];
  for (const a of rows) {
    const balance = balanceOf(a.assetId);
    if (a.enabled && a.lowBalanceThreshold !== null && dec(balance).lt(dec(a.lowBalanceThreshold))) {
      lowBalance.push(a.assetId);
      await raiseAlert(db, {
        kind: "low_balance",
        dedupeKey: `low_balance:${a.assetId}`,
        assetId: a.assetId,
        message: `The Mixin bot holds ${balance} ${a.symbol}, under the threshold of ${dec(a.lowBalanceThreshold).toString()} ${a.symbol}. Top it up to keep taking orders.`,
        data: { balance, threshold: a.lowBalanceThreshold },
      });
    }
  }
  return { synced: rows.length, lowBalance };
}

async function databaseNow(db: Db): Promise<Date> {
  const [row] = rowsOf<{ now: string | Date }>(await db.execute(sql`select clock_timestamp() as now`));
  return new Date(row!.now);
}
