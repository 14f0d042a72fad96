import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { judgePayeeAccess } from "@/server/access/check-payee-access";
import { CATALOG_VERSION, catalogAt, type Catalog, type WalletRow } from "@/server/catalog/catalog-cache";
import { env } from "@/server/env";
import { AppError, AppErrorCode } from "@/server/errors";
import { dec, floor8, fmt8, fmtRate } from "@/server/money";
import { assetLimits, fmtUsdt, usdtValueFloor } from "./asset-limits";
import { rowsOf, type Availability } from "./reservations";

/** One entry of the assets/range answer, shaped as in the spec. */
export interface AssetRange {
  asset_id: string;
  min: string;
  max: string;
  min_usdt: string;
  max_usdt: string;
  fee: string;
}

/**
 * What this broker can take for a payee and wallet (spec, Step 2 §2). Beyond the spec, `max` is
 * capped by what the bot's synced balance minus reservations can still cover, so MixPay never
 * offers an amount that create_order would refuse with 11002; an asset whose available balance
 * is below its minimum is left out, as is an asset with no known price.
 *
 * One statement: the balances with the catalog's version; the catalog itself comes from the
 * process cache (server/catalog/catalog-cache.ts), reloaded when that version moved.
 */
export async function getAssetsRange(
  db: Db,
  input: { payeeId: string; wallet: string },
  now = new Date(),
): Promise<AssetRange[]> {
  const { available, catalogVersion } = await balancesWithCatalogVersion(db);
  const catalog = await catalogAt(db, catalogVersion);
  walletServed(catalog, input.wallet);
  const access = judgePayeeAccess(catalog.accessMode, catalog.accessLists.get(input.payeeId));
  if (!access.allowed)
    throw new AppError(AppErrorCode.NO_PERMISSION, "No permission", { details: { reason: access.reason } });

  const maxSyncAgeMs = env().BALANCE_SYNC_MAX_AGE_SECONDS * 1000;
  const out: AssetRange[] = [];
  for (const a of catalog.enabledAssets) {
    const limits = assetLimits(a);
    const bal = available.get(a.assetId);
    const avail = bal?.available;
    if (!limits || !avail || avail.lt(limits.min)) continue;
    // create_order refuses while the balance sync is stale; do not offer what it would refuse.
    if (!bal.syncedAt || now.getTime() - bal.syncedAt.getTime() > maxSyncAgeMs) continue;
    const capped = avail.lt(limits.max);
    const max = capped ? floor8(avail) : limits.max;
    out.push({
      asset_id: a.assetId,
      min: fmt8(limits.min),
      max: fmt8(max),
      min_usdt: fmtUsdt(a.minUsdt),
      max_usdt: capped ? fmtUsdt(usdtValueFloor(max, a.priceUsd!)) : fmtUsdt(a.maxUsdt),
      fee: fmtRate(a.feeRate),
    });
  }
  return out;
}

/** A wallet name MixPay may send: known to this broker and enabled. Anything else is 11000. */
export function walletServed(catalog: Catalog, wallet: string): WalletRow {
  const w = catalog.wallets.get(wallet);
  if (!w || !w.enabled) throw AppError.badParameter("wallet", `wallet "${wallet}" is not served by this broker`);
  return w;
}

/** Balance minus reservations per asset (never below zero) and the catalog version, in one statement. */
async function balancesWithCatalogVersion(
  db: DbOrTx,
): Promise<{ available: Map<string, Availability>; catalogVersion: string | null }> {
  const rows = rowsOf<{
    v: string | null;
    asset_id: string | null;
    balance: string;
    reserved: string;
    synced_at: string | Date | null;
  }>(
    await db.execute(sql`
      select ${CATALOG_VERSION} as v, b.asset_id, b.balance::text as balance, b.reserved::text as reserved, b.synced_at
      from (select 1) one left join balances b on true`),
  );
  const available = new Map<string, Availability>();
  for (const b of rows) {
    if (!b.asset_id) continue;
    const balance = dec(b.balance);
    const reserved = dec(b.reserved);
    const left = balance.minus(reserved);
    available.set(b.asset_id, {
      balance,
      reserved,
      available: left.isNegative() ? dec("0") : left,
      syncedAt: b.synced_at ? new Date(b.synced_at) : null,
    });
  }
  return { available, catalogVersion: rows[0]?.v ?? null };
}
