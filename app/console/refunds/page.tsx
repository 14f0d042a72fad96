import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/server/trpc/server";
import { Amount, Empty, Status, Time, ui } from "../format";

export const metadata: Metadata = { title: "Refunds" };
export const dynamic = "force-dynamic";

/** End-user refunds (paid late, or refunded by MixPay), newest first. */
export default async function RefundsPage() {
  const rows = await (await serverCaller()).operator.refunds();
  return (
    <div>
      <h1 className="text-xl font-semibold">Refunds</h1>
      <p className="mt-1 text-sm text-zinc-500">Refunds to end users through their wallet, with a deterministic request id so a retry never refunds twice.</p>
      {rows.length === 0 ? (
        <Empty>No refunds yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <table className={ui.table} data-testid="refunds">
            <thead>
              <tr>
                <th className={ui.th}>Order (trace id)</th>
                <th className={ui.th}>Amount</th>
                <th className={ui.th}>Reason</th>
                <th className={ui.th}>MixPay code</th>
                <th className={ui.th}>Wallet</th>
                <th className={ui.th}>Status</th>
                <th className={ui.th}>Attempts</th>
                <th className={ui.th}>Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.requestId} className={ui.tr}>
                  <td className={`${ui.td} font-mono text-xs`}>
                    <Link className="underline" href={`/console/orders/${r.orderId}`}>
                      {r.traceId}
                    </Link>
                  </td>
                  <td className={ui.td}>
                    <Amount value={r.amount} symbol={r.symbol} />
                  </td>
                  <td className={ui.td}>{r.reason}</td>
                  <td className={ui.td}>{r.refundCode ?? "—"}</td>
                  <td className={ui.td}>{r.wallet}</td>
                  <td className={ui.td}>
                    <Status value={r.status} />
                    {r.lastError && <p className="mt-1 max-w-xs text-xs text-red-700 dark:text-red-300">{r.lastError}</p>}
                  </td>
                  <td className={`${ui.td} tabular-nums`}>{r.attempts}</td>
                  <td className={ui.td}>
                    <Time at={r.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
