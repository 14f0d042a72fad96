import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/adapters/trpc/server";
import { Empty, Hidden, Table, Time, ui } from "../format";
import { AcknowledgeButton } from "../overview/actions";

export const metadata: Metadata = { title: "Alerts" };
export const dynamic = "force-dynamic";

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ all?: string }> }) {
  const all = (await searchParams).all === "1";
  const rows = await (await serverCaller()).operator.alerts({ includeAcknowledged: all });
  return (
    <div>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Alerts</h1>
        <Link href={all ? "/console/alerts" : "/console/alerts?all=1"} className={`${ui.button} text-sm`}>
          {all ? "Open alerts only" : "Include acknowledged"}
        </Link>
      </div>
      <p className="mt-1 text-sm text-zinc-500">
        Low balances, refused orders (11002), failed settlements and refunds. Repeats of an open alert count up instead
        of piling up.
      </p>
      {rows.length === 0 ? (
        <Empty>{all ? "No alerts yet." : "No open alerts."}</Empty>
      ) : (
        <Table
          columns={["Severity", "Kind", "Message", "Seen", "Last seen", <Hidden key="actions">Actions</Hidden>]}
          testId="alerts"
        >
          {rows.map((a) => (
            <tr key={a.id} className={ui.tr}>
              <td
                className={`${ui.td} font-semibold ${a.severity === "critical" ? "text-red-700 dark:text-red-300" : "text-amber-700 dark:text-amber-300"}`}
              >
                {a.severity}
              </td>
              <td className={ui.td}>
                <code className="text-xs">{a.kind}</code>
              </td>
              <td className={ui.td}>
                {a.message}
                {a.orderId && (
                  <>
                    {" "}
                    <Link className="underline" href={`/console/orders/${a.orderId}`}>
                      order
                    </Link>
                  </>
                )}
              </td>
              <td className={`${ui.td} tabular-nums`}>×{a.occurrences}</td>
              <td className={ui.td}>
                <Time at={a.lastSeenAt} />
              </td>
              <td className={ui.td}>
                {a.acknowledgedAt ? (
                  <span className="text-xs text-zinc-500">
                    acknowledged <Time at={a.acknowledgedAt} />
                  </span>
                ) : (
                  <AcknowledgeButton alertId={a.id} />
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
