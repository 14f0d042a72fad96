import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { currentUser, serverCaller } from "@/adapters/trpc/server";
import { Amount, Status, Time } from "../../format";
import { CancelOrderButton } from "./cancel-order-button";

const CLOSE_EVENTS = new Set(["wallet.close_requested", "wallet.close_refused", "wallet.close_failed"]);

export const metadata: Metadata = { title: "Order" };
export const dynamic = "force-dynamic";

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await serverCaller();
  const order = await caller.orders.get({ id }).catch((e: unknown) => {
    if (e instanceof TRPCError && (e.code === "NOT_FOUND" || e.code === "BAD_REQUEST")) notFound();
    throw e;
  });
  const isOperator = (await currentUser())?.role === "operator";
  // A cancelled order whose last wallet close failed can have the close retried.
  const lastClose = order.events.filter((e) => CLOSE_EVENTS.has(e.type)).at(-1)?.type;
  const cancellable =
    isOperator && (order.status === "created" || (order.status === "cancelled" && lastClose === "wallet.close_failed"));
  const fields: [string, React.ReactNode][] = [
    ["Order id", order.id],
    ["Trace id", order.traceId],
    ["Payee id", order.payeeId],
    ["Wallet", `${order.wallet} (${order.walletProvider})`],
    ["Asset", `${order.symbol} ${order.assetId}`],
    ["Amount (to MixPay)", <Amount key="a" value={order.amount} symbol={order.symbol} />],
    ["Fee", <Amount key="f" value={order.fee} symbol={order.symbol} />],
    ["Paid by the user", <Amount key="p" value={order.payAmount} symbol={order.symbol} />],
    ["Memo", <code key="m">{order.memo}</code>],
    ["MixPay bot (opponent_id)", order.opponentId],
    ["Return URL", order.returnUrl],
    ["Expires", <Time key="e" at={order.expiredAt} />],
    ["Paid", <Time key="pa" at={order.paidAt} />],
    ["Settled", <Time key="s" at={order.settledAt} />],
    ["Refunded", <Time key="r" at={order.refundedAt} />],
    ["MixPay refund code", order.mixpayRefundCode ?? "—"],
    ["Wallet order / trade no", `${order.walletOrderId ?? "—"} / ${order.walletTradeNo ?? "—"}`],
    [
      "Settlement transfer",
      order.transfer
        ? `${order.transfer.status}, ${order.transfer.attempts} attempt(s)${order.transfer.transactionHash ? `, tx ${order.transfer.transactionHash}` : ""}`
        : "—",
    ],
    ["Refund", order.refund ? `${order.refund.status} (${order.refund.requestId})` : "—"],
  ];
  return (
    <div>
      <h1 className="flex items-center gap-3 text-xl font-semibold">
        Order <Status value={order.status} />
      </h1>
      {cancellable && <CancelOrderButton orderId={order.id} retryClose={order.status === "cancelled"} />}
      <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm md:grid-cols-2" data-testid="order-fields">
        {fields.map(([k, v]) => (
          <div key={k} className="flex gap-3 border-b border-zinc-100 py-1 dark:border-zinc-800">
            <dt className="w-48 shrink-0 text-zinc-500">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
      <h2 className="mt-8 font-semibold">Timeline</h2>
      <ol className="mt-2 space-y-2 text-sm" data-testid="order-timeline">
        {order.events.map((e) => (
          <li key={e.id} className="flex gap-3">
            <Time at={e.createdAt} />
            <code className="text-xs">{e.type}</code>
            <span className="text-zinc-500">{e.actor}</span>
            <span>{e.message}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
