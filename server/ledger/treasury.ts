import Decimal from "decimal.js";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { assets, balances, syncCursors } from "@/db/schema";
import { ACCOUNTS, isWalletAccount } from "./accounts";
import { rowsOf } from "./reconcile-queries";
import { RECONCILE_LAST, type ReconcileResult } from "./reconcile";

/** Days of runway the rebalance hint aims for. */
export const RUNWAY_TARGET_DAYS = 3;
const DAY = 86_400_000;

export interface TreasuryAsset {
  assetId: string;
  symbol: string;
  /** The bot's balance as last synced from Mixin, and as the books have it. */
  botBalance: string;
  botBooks: string;
  reserved: string;
  available: string;
  /** The broker's balance at each wallet provider, per the books. */
  wallets: { provider: string; balance: string }[];
  walletTotal: string;
  owedMixpay: string;
  owedEndUsers: string;
  fees: { today: string; d7: string; d30: string };
  suspense: string;
  /** Settled to MixPay per day over the trailing 7 days. */
  settlementPerDay: string;
  /** Days the available balance lasts at that rate; null when nothing was settled. */
  runwayDays: number | null;
  hint: string | null;
  /** End-of-day balances for the last 14 UTC days: bot and wallet side (books). */
  series: { day: string; bot: string; wallet: string }[];
}

/** Credit-normal balances read positive ("owed 12.5"). */
const neg = (v: string | undefined) => new Decimal(v ?? "0").neg();

export async function treasurySummary(
  db: DbOrTx,
  now = new Date(),
): Promise<{ assets: TreasuryAsset[]; lastReconciliation: ReconcileResult | null }> {
  const startOfToday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const d7 = new Date(now.getTime() - 7 * DAY);
  const d30 = new Date(now.getTime() - 30 * DAY);
  const from = new Date(startOfToday.getTime() - 13 * DAY);
  const [assetRows, balanceRows, totals, daily] = await Promise.all([
    db.select({ assetId: assets.assetId, symbol: assets.symbol }).from(assets).orderBy(assets.symbol),
    db.select().from(balances),
    db.execute(sql`
      select e.asset_id, e.account, sum(e.amount)::text as total,
             coalesce(sum(e.amount) filter (where e.account = 'fee_income' and e.occurred_at >= ${startOfToday.toISOString()}::timestamptz), 0)::text as fee_today,
             coalesce(sum(e.amount) filter (where e.account = 'fee_income' and e.occurred_at >= ${d7.toISOString()}::timestamptz), 0)::text as fee_7,
             coalesce(sum(e.amount) filter (where e.account = 'fee_income' and e.occurred_at >= ${d30.toISOString()}::timestamptz), 0)::text as fee_30
        from ledger_entries e group by e.asset_id, e.account`),
    db.execute(sql`
      select e.asset_id, to_char(date_trunc('day', e.occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
             coalesce(sum(e.amount) filter (where e.account = 'mixin_bot'), 0)::text as bot,
             coalesce(sum(e.amount) filter (where e.account like 'wallet:%'), 0)::text as wallet,
             coalesce(sum(-e.amount) filter (where e.account = 'mixin_bot' and j.kind = 'settlement' and e.occurred_at >= ${d7.toISOString()}::timestamptz), 0)::text as settled
        from ledger_entries e join ledger_journals j on j.id = e.journal_id
       where e.occurred_at >= ${d30.toISOString()}::timestamptz and (e.account = 'mixin_bot' or e.account like 'wallet:%')
       group by 1, 2`),
  ]);
  const t = rowsOf<{
    asset_id: string;
    account: string;
    total: string;
    fee_today: string;
    fee_7: string;
    fee_30: string;
  }>(totals);
  const d = rowsOf<{ asset_id: string; day: string; bot: string; wallet: string; settled: string }>(daily);
  const balanceOf = new Map(balanceRows.map((b) => [b.assetId, b.balance]));
  const reservedOf = new Map(balanceRows.map((b) => [b.assetId, b.reserved]));
  const days = Array.from({ length: 14 }, (_, i) => new Date(from.getTime() + i * DAY).toISOString().slice(0, 10));

  const out = assetRows.map((a): TreasuryAsset => {
    const mine = t.filter((r) => r.asset_id === a.assetId);
    const acc = (name: string) => mine.find((r) => r.account === name);
    const wallets = mine
      .filter((r) => isWalletAccount(r.account))
      .map((r) => ({ provider: r.account.slice("wallet:".length), balance: new Decimal(r.total).toFixed() }));
    const walletTotal = wallets.reduce((s, w) => s.plus(w.balance), new Decimal(0));
    const botBalance = new Decimal(balanceOf.get(a.assetId) ?? "0");
    // The per-asset reservation counter kept by transitionOrder (server/orders/reservations.ts).
    const res = new Decimal(reservedOf.get(a.assetId) ?? "0");
    const available = Decimal.max(0, botBalance.minus(res));
    const rows = d.filter((r) => r.asset_id === a.assetId);
    const perDay = rows.reduce((s, r) => s.plus(r.settled), new Decimal(0)).div(7);
    const runwayDays = perDay.isZero() ? null : available.div(perDay).toDecimalPlaces(1).toNumber();
    // End-of-day balances: today's total minus the movements after each day.
    const botNow = new Decimal(acc(ACCOUNTS.mixinBot)?.total ?? "0");
    const byDay = new Map(rows.map((r) => [r.day, r]));
    let bot = botNow;
    let wallet = walletTotal;
    const series: TreasuryAsset["series"] = [];
    for (let i = days.length - 1; i >= 0; i--) {
      series.unshift({ day: days[i]!, bot: bot.toFixed(), wallet: wallet.toFixed() });
      const r = byDay.get(days[i]!);
      if (r) {
        bot = bot.minus(r.bot);
        wallet = wallet.minus(r.wallet);
      }
    }
    let hint: string | null = null;
    if (!perDay.isZero()) {
      const target = perDay.times(RUNWAY_TARGET_DAYS);
      const need = target.minus(available);
      const richest = [...wallets].sort((x, y) => new Decimal(y.balance).comparedTo(x.balance))[0];
      if (need.gt(0)) {
        const amount = need.toSignificantDigits(2, Decimal.ROUND_UP).toFixed();
        hint =
          richest && new Decimal(richest.balance).gt(0)
            ? `Move about ${amount} ${a.symbol} from ${richest.provider} to the bot to keep ${RUNWAY_TARGET_DAYS} days of runway.`
            : `Top up the bot with about ${amount} ${a.symbol} to keep ${RUNWAY_TARGET_DAYS} days of runway.`;
      }
    }
    return {
      assetId: a.assetId,
      symbol: a.symbol,
      botBalance: botBalance.toFixed(),
      botBooks: botNow.toFixed(),
      reserved: res.toFixed(),
      available: available.toFixed(),
      wallets,
      walletTotal: walletTotal.toFixed(),
      owedMixpay: neg(acc(ACCOUNTS.owedMixpay)?.total).toFixed(),
      owedEndUsers: neg(acc(ACCOUNTS.owedEndUsers)?.total).toFixed(),
      fees: {
        today: neg(acc(ACCOUNTS.feeIncome)?.fee_today).toFixed(),
        d7: neg(acc(ACCOUNTS.feeIncome)?.fee_7).toFixed(),
        d30: neg(acc(ACCOUNTS.feeIncome)?.fee_30).toFixed(),
      },
      suspense: new Decimal(acc(ACCOUNTS.suspense)?.total ?? "0").toFixed(),
      settlementPerDay: perDay.toDecimalPlaces(8).toFixed(),
      runwayDays,
      hint,
      series,
    };
  });
  const [last] = await db.select().from(syncCursors).where(sql`${syncCursors.name} = ${RECONCILE_LAST}`);
  return { assets: out, lastReconciliation: last ? (JSON.parse(last.value) as ReconcileResult) : null };
}
