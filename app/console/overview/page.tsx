import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/adapters/trpc/server";
import { Amount, Status, Table, Time } from "../format";
import { AcknowledgeButton, RetryButton } from "./actions";
import { VolumeChart } from "./volume-chart";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const caller = await serverCaller();
  const [{ counts, balances, queue, alerts }, reports] = await Promise.all([
    caller.operator.overview(),
    caller.operator.reports(),
  ]);
  const waiting = counts.filter((c) => c.status === "paid" || c.status === "settling").reduce((n, c) => n + c.count, 0);
  return (
    <div className="space-y-8">
      <section aria-labelledby="counts">
        <h1 id="counts" className="text-xl font-semibold">
          Overview
        </h1>
        <ul className="mt-3 flex flex-wrap gap-2 text-sm">
          {counts.length === 0 && <li className="text-zinc-500">No orders yet.</li>}
          {counts.map((c) => (
            <li key={c.status} className="rounded-md bg-white px-3 py-1.5 shadow-sm dark:bg-zinc-900">
              <Status value={c.status} /> {c.count}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="rates-h">
        <h2 id="rates-h" className="font-semibold">
          Outcomes (last 30 days)
        </h2>
        <dl className="mt-2 grid grid-cols-2 gap-3 text-sm sm:grid-cols-5" data-testid="rates">
          {[
            ["Finished orders", String(reports.rates.finished)],
            ["Success", reports.rates.success],
            ["Expiry", reports.rates.expiry],
            ["Refund", reports.rates.refund],
            ["Waiting for settlement", String(waiting)],
          ].map(([k, v]) => (
            <div key={k} className="rounded-md bg-white px-3 py-2 shadow-sm dark:bg-zinc-900">
              <dt className="text-zinc-500">{k}</dt>
              <dd className="text-lg font-semibold tabular-nums">{v}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="volume-h">
        <h2 id="volume-h" className="font-semibold">
          Paid volume per day
        </h2>
        <VolumeChart rows={reports.volume} days={reports.days} />
      </section>

      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h" className="font-semibold">
          Open alerts
        </h2>
        {alerts.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-500">No open alerts.</p>
        ) : (
          <ul className="mt-2 space-y-2 text-sm" data-testid="alerts">
            {alerts.map((a) => (
              <li
                key={a.id}
                className="flex flex-wrap items-center gap-3 rounded-md bg-white px-3 py-2 shadow-sm dark:bg-zinc-900"
              >
                <span
                  className={a.severity === "critical" ? "font-semibold text-red-600" : "font-semibold text-amber-600"}
                >
                  {a.severity}
                </span>
                <code className="text-xs">{a.kind}</code>
                <span className="flex-1">{a.message}</span>
                <span className="text-xs text-zinc-500">×{a.occurrences}</span>
                <AcknowledgeButton alertId={a.id} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="queue-h">
        <h2 id="queue-h" className="flex items-center gap-3 font-semibold">
          <Link href="/console/settlements" className="underline">
            Settlement queue
          </Link>{" "}
          {queue.length > 1 && <RetryButton orderIds={queue.map((q) => q.id)} label={`Retry all ${queue.length}`} />}
        </h2>
        {queue.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-500">Nothing waiting: every paid order is settled.</p>
        ) : (
          <Table testId="settlement-queue" className="mt-2 w-full text-left text-sm">
            {queue.map((q) => (
              <tr key={q.id} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-2 pr-3 font-mono text-xs">
                  <Link className="underline" href={`/console/orders/${q.id}`}>
                    {q.traceId}
                  </Link>
                </td>
                <td className="py-2 pr-3">
                  <Status value={q.status} />
                </td>
                <td className="py-2 pr-3">
                  <Amount value={q.amount} symbol={q.symbol} />
                </td>
                <td className="py-2 pr-3 text-zinc-500">{q.statusReason}</td>
                <td className="py-2 pr-3">
                  <Time at={q.updatedAt} />
                </td>
                <td className="py-2">
                  <RetryButton orderIds={[q.id]} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </section>

      <section aria-labelledby="balances-h">
        <h2 id="balances-h" className="font-semibold">
          <Link href="/console/balances" className="underline">
            Balance health
          </Link>
        </h2>
        <Table
          columns={["Asset", "Balance", "Reserved", "Available", "Low below", "Synced"]}
          testId="balances"
          className="mt-2 w-full text-left text-sm"
          headClassName="text-zinc-500"
          thClassName="py-1 pr-3 font-medium"
        >
          {balances.map((b) => (
            <tr key={b.assetId} className="border-t border-zinc-200 dark:border-zinc-800">
              <td className="py-2 pr-3">
                {b.symbol}{" "}
                {b.low ? (
                  <span className="ml-1 rounded bg-red-100 px-1 text-xs text-red-700 dark:bg-red-950 dark:text-red-300">
                    low
                  </span>
                ) : (
                  <span className="ml-1 text-xs text-emerald-700 dark:text-emerald-300">ok</span>
                )}
              </td>
              <td className="py-2 pr-3">
                <Amount value={b.balance} symbol={b.symbol} />
              </td>
              <td className="py-2 pr-3">
                <Amount value={b.reserved} symbol={b.symbol} />
              </td>
              <td className="py-2 pr-3">
                <Amount value={b.available} symbol={b.symbol} />
              </td>
              <td className="py-2 pr-3">{b.lowBalanceThreshold ?? "—"}</td>
              <td className="py-2 pr-3">
                <Time at={b.syncedAt} />
              </td>
            </tr>
          ))}
        </Table>
      </section>
    </div>
  );
}
