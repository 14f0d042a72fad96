import Decimal from "decimal.js";
import { stringify } from "csv-stringify/sync";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rowsOf } from "./reconcile-queries";

/** One line of a daily statement of the broker's money (the bot and the wallet accounts). */
export interface StatementLine {
  day: string;
  account: string;
  opening: string;
  /** Money in and out by journal kind (settlement, order_paid, mixpay_refund, …). */
  inflows: Record<string, string>;
  outflows: Record<string, string>;
  /** Reconciliation differences posted that day (also counted in in/outflows as "difference"). */
  differences: string;
  closing: string;
}

const DAY = 86_400_000;

/**
 * Daily statements of one asset's money accounts (mixin_bot, wallet:*) over [from, to] UTC days:
 * opening, inflows and outflows by kind, differences, closing. Two grouped queries whatever the range.
 */
export async function dailyStatement(
  db: DbOrTx,
  assetId: string,
  fromDay: string,
  toDay: string,
): Promise<StatementLine[]> {
  const from = new Date(`${fromDay}T00:00:00Z`);
  const to = new Date(new Date(`${toDay}T00:00:00Z`).getTime() + DAY);
  const [openRows, moveRows] = await Promise.all([
    db.execute(sql`
      select account, sum(amount)::text as total from ledger_entries
       where asset_id = ${assetId}::uuid and (account = 'mixin_bot' or account like 'wallet:%') and occurred_at < ${from.toISOString()}::timestamptz
       group by account`),
    db.execute(sql`
      select to_char(date_trunc('day', e.occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as day, e.account, j.kind,
             coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as inflow,
             coalesce(sum(-e.amount) filter (where e.amount < 0), 0)::text as outflow
        from ledger_entries e join ledger_journals j on j.id = e.journal_id
       where e.asset_id = ${assetId}::uuid and (e.account = 'mixin_bot' or e.account like 'wallet:%')
         and e.occurred_at >= ${from.toISOString()}::timestamptz and e.occurred_at < ${to.toISOString()}::timestamptz
       group by 1, 2, 3`),
  ]);
  const running = new Map(
    rowsOf<{ account: string; total: string }>(openRows).map((r) => [r.account, new Decimal(r.total)]),
  );
  const moves = rowsOf<{ day: string; account: string; kind: string; inflow: string; outflow: string }>(moveRows);
  for (const m of moves) if (!running.has(m.account)) running.set(m.account, new Decimal(0));
  const accounts = [...running.keys()].sort();
  const lines: StatementLine[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += DAY) {
    const day = new Date(t).toISOString().slice(0, 10);
    for (const account of accounts) {
      const opening = running.get(account)!;
      const todays = moves.filter((m) => m.day === day && m.account === account);
      const inflows: Record<string, string> = {};
      const outflows: Record<string, string> = {};
      let closing = opening;
      let differences = new Decimal(0);
      for (const m of todays) {
        if (!new Decimal(m.inflow).isZero()) inflows[m.kind] = new Decimal(m.inflow).toFixed();
        if (!new Decimal(m.outflow).isZero()) outflows[m.kind] = new Decimal(m.outflow).toFixed();
        closing = closing.plus(m.inflow).minus(m.outflow);
        if (m.kind === "difference") differences = differences.plus(m.inflow).minus(m.outflow);
      }
      running.set(account, closing);
      lines.push({
        day,
        account,
        opening: opening.toFixed(),
        inflows,
        outflows,
        differences: differences.toFixed(),
        closing: closing.toFixed(),
      });
    }
  }
  return lines;
}

export const STATEMENT_CSV_COLUMNS = ["date", "asset_id", "symbol", "account", "line", "kind", "amount"] as const;

/**
 * The statement as CSV in long form (one amount per row: opening, inflow/outflow per kind,
 * difference, closing), which spreadsheets pivot and accounting tools import as is.
 */
export function statementCsv(lines: StatementLine[], assetId: string, symbol: string): string {
  const rows: string[][] = [];
  for (const l of lines) {
    const base = [l.day, assetId, symbol, l.account];
    rows.push([...base, "opening", "", l.opening]);
    for (const [kind, v] of Object.entries(l.inflows).sort()) rows.push([...base, "inflow", kind, v]);
    for (const [kind, v] of Object.entries(l.outflows).sort()) rows.push([...base, "outflow", kind, v]);
    rows.push([...base, "difference", "", l.differences]);
    rows.push([...base, "closing", "", l.closing]);
  }
  return stringify(rows, { header: true, columns: [...STATEMENT_CSV_COLUMNS] });
}

/** The statement's default range: the last seven UTC days, today included. */
export function lastWeekRange(now = new Date()): { from: string; to: string } {
  return { from: new Date(now.getTime() - 6 * DAY).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
}
