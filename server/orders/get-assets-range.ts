import { and, asc, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { assets, wallets } from "@/db/schema";
import { checkPayeeAccess } from "@/server/access/check-payee-access";
import { env } from "@/server/env";
import { AppError, AppErrorCode } from "@/server/errors";
import { floor8, fmt8, fmtRate } from "@/server/money";
import { assetLimits, fmtUsdt, usdtValueFloor } from "./asset-limits";
import { availableBalances } from "./reservations";

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
 */
export async function getAssetsRange(db: Db, input: { payeeId: string; wallet: string }, now = new Date()): Promise<AssetRange[]> {
  await assertWalletServed(db, input.wallet);
  const access = await checkPayeeAccess(db, input.payeeId);
  if (!access.allowed) throw new AppError(AppErrorCode.NO_PERMISSION, "No permission", { details: { reason: access.reason } });

  const [rows, available] = await Promise.all([
    db.select().from(assets).where(eq(assets.enabled, true)).orderBy(asc(assets.symbol)),
    availableBalances(db),
  ]);
  const maxSyncAgeMs = env().BALANCE_SYNC_MAX_AGE_SECONDS * 1000;
  const out: AssetRange[] = [];
  for (const a of rows) {
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
export async function assertWalletServed(db: DbOrTx, wallet: string): Promise<typeof wallets.$inferSelect> {
  const [w] = await db.select().from(wallets).where(and(eq(wallets.name, wallet), eq(wallets.enabled, true)));
  if (!w) throw AppError.badParameter("wallet", `wallet "${wallet}" is not served by this broker`);
  return w;
}
