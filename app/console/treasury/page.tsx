import type { Metadata } from "next";
import Decimal from "decimal.js";
import { lastWeekRange } from "@/server/ledger/statement";
import { RUNWAY_TARGET_DAYS } from "@/server/ledger/treasury";
import { serverCaller } from "@/adapters/trpc/server";
import { Amount, Empty, Table, Time, ui } from "../format";
import { requireOperator } from "../guard";
import { LabelForm, ReconcileNowButton } from "./actions";
import { TreasuryChart } from "./treasury-chart";

export const metadata: Metadata = { title: "Treasury" };
export const dynamic = "force-dynamic";

type SP = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const isDay = (v: string | undefined): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v);

/**
 * The books for the operator (docs/ledger.md): per asset where the money is (bot, wallet side),
 * what is owed, what was earned, how long the bot lasts, and what to move; a daily statement with
 * CSV export; the unexplained items with their alerts.
 */
export default async function TreasuryPage({ searchParams }: { searchParams: Promise<SP> }) {
  await requireOperator();
  const sp = await searchParams;
  const caller = await serverCaller();
  const [{ assets, lastReconciliation }, suspense] = await Promise.all([
    caller.treasury.summary(),
    caller.treasury.suspense(),
  ]);
  const week = lastWeekRange();
  const asset = assets.find((a) => a.assetId === one(sp.asset)) ?? assets.find((a) => a.symbol === "USDT") ?? assets[0];
  const from = isDay(one(sp.from)) ? one(sp.from)! : week.from;
  const to = isDay(one(sp.to)) ? one(sp.to)! : week.to;
  const statement = asset ? await caller.treasury.statement({ assetId: asset.assetId, from, to }) : [];
  const symbolOf = new Map(assets.map((a) => [a.assetId, a.symbol]));
  const differences = lastReconciliation?.checks.filter((c) => c.difference !== "0") ?? [];
  return (
    <div className="space-y-8">
      <section aria-labelledby="treasury">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h1 id="treasury" className="text-xl font-semibold">
            Treasury
          </h1>
          <ReconcileNowButton />
        </div>
        <p className="mt-1 text-sm text-zinc-500" data-testid="last-reconciliation">
          {lastReconciliation ? (
            <>
              Last reconciliation <Time at={lastReconciliation.at} />: {lastReconciliation.checks.length} balances
              checked,{" "}
              <span
                className={
                  differences.length
                    ? "font-medium text-red-700 dark:text-red-300"
                    : "text-emerald-700 dark:text-emerald-300"
                }
              >
                {differences.length} with a difference
              </span>
              , {lastReconciliation.lostSnapshots.length} lost snapshots, {lastReconciliation.reservations.length}{" "}
              reservation mismatches.
            </>
          ) : (
            "Not reconciled yet: the first pass adopts Mixin's and the wallets' balances as the opening balances."
          )}
        </p>
        {assets.length === 0 ? (
          <Empty>No assets configured.</Empty>
        ) : (
          <div className="mt-3 grid gap-4 lg:grid-cols-2">
            {assets.map((a) => {
              const low = a.runwayDays !== null && a.runwayDays < RUNWAY_TARGET_DAYS;
              const reserve = new Decimal(a.settlementPerDay).isZero()
                ? null
                : new Decimal(a.settlementPerDay).times(RUNWAY_TARGET_DAYS).plus(a.reserved).toFixed();
              return (
                <article
                  key={a.assetId}
                  className={ui.card}
                  data-testid={`treasury-${a.symbol}`}
                  aria-labelledby={`t-${a.assetId}`}
                >
                  <div className="flex items-baseline justify-between gap-2">
                    <h2 id={`t-${a.assetId}`} className="text-lg font-semibold">
                      {a.symbol}
                    </h2>
                    <span
                      className={`rounded px-2 py-0.5 text-xs font-medium ${low ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200" : "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"}`}
                      data-testid={`runway-${a.symbol}`}
                    >
                      {a.runwayDays === null ? "no settlements in 7 days" : `runway ${a.runwayDays} days`}
                    </span>
                  </div>
                  <TreasuryChart symbol={a.symbol} series={a.series} reserveLine={reserve} />
                  {a.hint && (
                    <p
                      className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
                      data-testid={`hint-${a.symbol}`}
                    >
                      {a.hint}
                    </p>
                  )}
                  <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                    <dt className="text-zinc-500">Mixin bot (synced)</dt>
                    <dd>
                      <Amount value={a.botBalance} symbol={a.symbol} />
                    </dd>
                    <dt className="text-zinc-500">reserved · available</dt>
                    <dd>
                      <Amount value={a.reserved} /> · <Amount value={a.available} symbol={a.symbol} />
                    </dd>
                    <dt className="text-zinc-500">wallet side</dt>
                    <dd
                      data-testid="wallet-side"
                      data-wallets={a.wallets.map((w) => `${w.provider}=${w.balance}`).join(",")}
                    >
                      <Amount value={a.walletTotal} symbol={a.symbol} />
                      {a.wallets.length > 1 && (
                        <span className="text-xs text-zinc-500">
                          {" "}
                          ({a.wallets.map((w) => `${w.provider} ${w.balance}`).join(", ")})
                        </span>
                      )}
                    </dd>
                    <dt className="text-zinc-500">owed to MixPay</dt>
                    <dd>
                      <Amount value={a.owedMixpay} symbol={a.symbol} />
                    </dd>
                    <dt className="text-zinc-500">owed to end users</dt>
                    <dd>
                      <Amount value={a.owedEndUsers} symbol={a.symbol} />
                    </dd>
                    <dt className="text-zinc-500">fee income today · 7 d · 30 d</dt>
                    <dd>
                      <Amount value={a.fees.today} /> · <Amount value={a.fees.d7} /> ·{" "}
                      <Amount value={a.fees.d30} symbol={a.symbol} />
                    </dd>
                    <dt className="text-zinc-500">settled per day (7 d)</dt>
                    <dd>
                      <Amount value={a.settlementPerDay} symbol={a.symbol} />
                    </dd>
                    {a.suspense !== "0" && (
                      <>
                        <dt className="text-red-700 dark:text-red-300">in suspense</dt>
                        <dd className="text-red-700 dark:text-red-300">
                          <Amount value={a.suspense} symbol={a.symbol} />
                        </dd>
                      </>
                    )}
                  </dl>
                </article>
              );
            })}
          </div>
        )}
      </section>

      <section aria-labelledby="unexplained">
        <h2 id="unexplained" className="text-lg font-semibold">
          Unexplained items
        </h2>
        {suspense.length === 0 ? (
          <Empty>Nothing in suspense: every movement is explained.</Empty>
        ) : (
          <div className="overflow-x-auto">
            <Table columns={["When", "Amount", "What", "Alert", "Explain"]} testId="suspense">
              {suspense.map((s) => {
                const incoming = s.amounts.some((x) => new Decimal(x.amount).isNegative());
                return (
                  <tr key={s.journalId} className={ui.tr}>
                    <td className={ui.td}>
                      <Time at={s.occurredAt} />
                    </td>
                    <td className={ui.td}>
                      {s.amounts.map((x) => (
                        <div key={x.assetId}>
                          <Amount value={new Decimal(x.amount).neg().toFixed()} symbol={symbolOf.get(x.assetId)} />
                        </div>
                      ))}
                    </td>
                    <td className={`${ui.td} max-w-md break-words`}>
                      {s.memo}
                      {s.snapshotId && <div className="font-mono text-xs text-zinc-500">snapshot {s.snapshotId}</div>}
                      {s.orderId && <div className="font-mono text-xs text-zinc-500">order {s.orderId}</div>}
                    </td>
                    <td className={`${ui.td} max-w-xs text-xs`}>
                      {s.alert ? `${s.alert.acknowledged ? "(acknowledged) " : ""}${s.alert.message}` : "—"}
                    </td>
                    <td className={ui.td}>
                      <LabelForm
                        journalId={s.journalId}
                        incoming={incoming}
                        wallets={asset?.wallets.map((w) => w.provider) ?? []}
                      />
                    </td>
                  </tr>
                );
              })}
            </Table>
          </div>
        )}
      </section>

      {asset && (
        <section aria-labelledby="statement">
          <h2 id="statement" className="text-lg font-semibold">
            Daily statement
          </h2>
          <form className="mt-2 flex flex-wrap items-end gap-2 text-sm" method="get">
            <label className="flex flex-col">
              <span className="text-zinc-500">Asset</span>
              <select name="asset" defaultValue={asset.assetId} className={ui.input}>
                {assets.map((a) => (
                  <option key={a.assetId} value={a.assetId}>
                    {a.symbol}
                  </option>
                ))}
              </select>
            </label>
            <label className="flex flex-col">
              <span className="text-zinc-500">From (UTC)</span>
              <input type="date" name="from" defaultValue={from} className={ui.input} />
            </label>
            <label className="flex flex-col">
              <span className="text-zinc-500">To (UTC)</span>
              <input type="date" name="to" defaultValue={to} className={ui.input} />
            </label>
            <button type="submit" className={ui.button}>
              Show
            </button>
            <a
              className={ui.primary}
              href={`/console/treasury/statement?asset=${asset.assetId}&from=${from}&to=${to}`}
              download
              data-testid="statement-csv"
            >
              Export CSV
            </a>
          </form>
          <div className="overflow-x-auto">
            <Table columns={["Day", "Account", "Opening", "In", "Out", "Differences", "Closing"]} testId="statement">
              {statement.map((l) => (
                <tr key={`${l.day}-${l.account}`} className={ui.tr}>
                  <td className={ui.td}>{l.day}</td>
                  <td className={ui.td}>{l.account}</td>
                  <td className={ui.td}>
                    <Amount value={l.opening} />
                  </td>
                  <td className={`${ui.td} text-xs`}>
                    {Object.entries(l.inflows).map(([k, v]) => (
                      <div key={k}>
                        {k} +{v}
                      </div>
                    ))}
                  </td>
                  <td className={`${ui.td} text-xs`}>
                    {Object.entries(l.outflows).map(([k, v]) => (
                      <div key={k}>
                        {k} −{v}
                      </div>
                    ))}
                  </td>
                  <td className={ui.td}>
                    {l.differences === "0" ? (
                      "—"
                    ) : (
                      <span className="text-red-700 dark:text-red-300">{l.differences}</span>
                    )}
                  </td>
                  <td className={`${ui.td} font-medium`}>
                    <Amount value={l.closing} symbol={asset.symbol} />
                  </td>
                </tr>
              ))}
            </Table>
          </div>
        </section>
      )}
    </div>
  );
}
