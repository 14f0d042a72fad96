import { asc, desc, eq, gte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, orders, refunds, wallets } from "@/db/schema";
import { describeWallet } from "@/server/wallets/describe-wallet-providers";

/** The last `n` UTC days, oldest first, as YYYY-MM-DD (the chart's x axis). */
export function lastDays(n: number, now = new Date()): string[] {
  return Array.from({ length: n }, (_, i) =>
    new Date(now.getTime() - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

/** Orders and volume per day per asset over the last `days` days (UTC days). */
export async function volumePerDay(db: Db, days = 14) {
  const since = new Date(Date.now() - days * 86_400_000);
  return db
    .select({
      day: sql<string>`to_char(date_trunc('day', ${orders.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`,
      symbol: sql<string>`coalesce(max(${assets.symbol}), '')`,
      orders: sql<number>`count(*)::int`,
      paid: sql<number>`count(*) filter (where ${orders.status} in ('paid','settling','settled','settlement_failed'))::int`,
      volume: sql<string>`coalesce(sum(${orders.amount}) filter (where ${orders.status} in ('paid','settling','settled','settlement_failed')), 0)::text`,
    })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(gte(orders.createdAt, since))
    .groupBy(sql`1`, orders.assetId)
    .orderBy(sql`1`);
}

/** Success, expiry and refund rates over the last `days` days, from final-ish states. */
export async function outcomeRates(db: Db, days = 30) {
  const since = new Date(Date.now() - days * 86_400_000);
  const rows = await db
    .select({ status: orders.status, n: sql<number>`count(*)::int` })
    .from(orders)
    .where(gte(orders.createdAt, since))
    .groupBy(orders.status);
  const n = (s: string[]) => rows.filter((r) => s.includes(r.status)).reduce((a, r) => a + r.n, 0);
  const total = n([
    "settled",
    "expired",
    "cancelled",
    "failed",
    "mixpay_refunded",
    "refunding",
    "refunded",
    "refund_failed",
    "paid_late",
    "settlement_failed",
  ]);
  const pct = (k: number) => (total === 0 ? "—" : `${((100 * k) / total).toFixed(1)}%`);
  return {
    finished: total,
    success: pct(n(["settled"])),
    expiry: pct(n(["expired", "cancelled"])),
    refund: pct(n(["mixpay_refunded", "refunding", "refunded", "refund_failed", "paid_late"])),
  };
}

export async function listRefunds(db: Db, limit = 200) {
  return db
    .select({
      orderId: refunds.orderId,
      requestId: refunds.requestId,
      wallet: refunds.wallet,
      amount: refunds.amount,
      reason: refunds.reason,
      status: refunds.status,
      attempts: refunds.attempts,
      lastError: refunds.lastError,
      updatedAt: refunds.updatedAt,
      symbol: assets.symbol,
      traceId: orders.traceId,
      refundCode: orders.mixpayRefundCode,
      generation: refunds.generation,
      walletFailedAt: refunds.walletFailedAt,
      orderStatus: orders.status,
    })
    .from(refunds)
    .innerJoin(orders, eq(orders.id, refunds.orderId))
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .orderBy(desc(refunds.updatedAt))
    .limit(limit);
}

/** Every wallet row, with the provider that serves it right now (Binance Pay falls back to the demo wallet until configured). */
export async function listWallets(db: Db) {
  const rows = await db.select().from(wallets).orderBy(asc(wallets.name));
  return rows.map((w) => {
    const d = describeWallet(w);
    return { ...w, servedBy: d.servedBy, servedBySummary: d.summary };
  });
}
