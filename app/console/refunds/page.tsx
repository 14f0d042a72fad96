import type { Metadata } from "next";
import Link from "next/link";
import { serverCaller } from "@/adapters/trpc/server";
import { Amount, Empty, RefundStatus, Table, Time, ui } from "../format";
import { RefundWithoutMixPayForm, RetryRefundButton } from "./refund-actions";

export const metadata: Metadata = { title: "Refunds" };
export const dynamic = "force-dynamic";

/** End-user refunds (paid late, or refunded by MixPay), newest first. */
export default async function RefundsPage() {
  const caller = await serverCaller();
  const [rows, awaiting] = await Promise.all([caller.operator.refunds(), caller.operator.awaitingMixPayRefund()]);
  // Only the newest attempt of an order can be retried.
  const latest = new Map<string, number>();
  for (const r of rows) latest.set(r.orderId, Math.max(latest.get(r.orderId) ?? 0, r.generation));
  return (
    <div>
      <h1 className="text-xl font-semibold">Refunds</h1>
      <p className="mt-1 text-sm text-zinc-500">
        Refunds to end users through their wallet, with a deterministic request id so a retry never refunds twice.
      </p>
      {awaiting.length > 0 && (
        <section className="my-4" data-testid="awaiting-mixpay-refund">
          <h2 className="font-semibold">MixPay reported failed, refund not received</h2>
          <p className="text-sm text-zinc-500">
            The broker paid MixPay; MixPay says the payment failed but has not sent the money back. Wait, ask MixPay, or
            refund the end user now (audited).
          </p>
          <Table>
            {awaiting.map((a) => (
              <tr key={a.orderId} className={ui.tr}>
                <td className={`${ui.td} font-mono text-xs`}>
                  <Link className="underline" href={`/console/orders/${a.orderId}`}>
                    {a.traceId}
                  </Link>
                </td>
                <td className={ui.td}>{a.amount}</td>
                <td className={ui.td}>{a.failedAt && <Time at={a.failedAt} />}</td>
                <td className={ui.td}>
                  <RefundWithoutMixPayForm orderId={a.orderId} />
                </td>
              </tr>
            ))}
          </Table>
        </section>
      )}
      {rows.length === 0 ? (
        <Empty>No refunds yet.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <Table
            columns={[
              "Order (trace id)",
              "Amount",
              "Reason",
              "MixPay code",
              "Wallet",
              "Status",
              "Attempts",
              "Updated",
              "Action",
            ]}
            testId="refunds"
          >
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
                  <RefundStatus value={r.status} />
                  {r.lastError && <p className="mt-1 max-w-xs text-xs text-red-700 dark:text-red-300">{r.lastError}</p>}
                </td>
                <td className={`${ui.td} tabular-nums`}>{r.attempts}</td>
                <td className={ui.td}>
                  <Time at={r.updatedAt} />
                </td>
                <td className={ui.td}>
                  {r.orderStatus === "refund_failed" && r.generation === latest.get(r.orderId) && (
                    <RetryRefundButton orderId={r.orderId} newId={r.walletFailedAt !== null} />
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </div>
  );
}
