import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { env } from "@/server/env";
import { getDemoCheckout } from "@/server/wallets/demo-checkout";
import { Countdown } from "./countdown";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Demo wallet checkout", robots: { index: false } };

const STATUS_TEXT: Record<string, string> = {
  created: "Waiting for payment",
  paid: "Paid",
  paid_late: "Paid after the deadline — a refund is on its way",
  settling: "Paid",
  settled: "Paid",
  cancelled: "Cancelled",
  expired: "Expired",
  failed: "Unavailable",
  settlement_failed: "Paid",
  mixpay_refunded: "Refund on its way",
  refunding: "Refund on its way",
  refunded: "Refunded",
  refund_failed: "Refund delayed",
};

/**
 * The demo wallet's hosted checkout: the page a real wallet (Binance Pay) would show. "Pay" marks
 * the order paid through the same path as a wallet webhook and redirects (302) to return_url.
 */
export default async function CheckoutPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  const view = await getDemoCheckout(await getDb(), orderId);
  if (!view) notFound();
  const { order, assetSymbol } = view;
  const open = order.status === "created" || order.status === "expired";
  const enabled = env().demoWalletEnabled;
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-6 py-10">
      <div className="rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <p className="text-sm font-medium uppercase tracking-wide text-amber-600">Demo wallet</p>
        <h1 className="mt-1 text-xl font-semibold">
          Pay {order.payAmount} {assetSymbol}
        </h1>
        <dl className="mt-6 space-y-2 text-sm">
          <Row label="Asset" value={assetSymbol} />
          <Row label="Amount" value={`${order.amount} ${assetSymbol}`} testId="amount" />
          <Row label={`Fee (${order.feeRate})`} value={`${order.fee} ${assetSymbol}`} testId="fee" />
          <Row label="Total" value={`${order.payAmount} ${assetSymbol}`} testId="total" strong />
          <div className="flex justify-between gap-4">
            <dt className="text-zinc-500 dark:text-zinc-400">Time left</dt>
            <dd>
              <Countdown expiresAt={order.expiredAt.toISOString()} />
            </dd>
          </div>
          <Row label="Status" value={STATUS_TEXT[order.status] ?? order.status} testId="status" />
        </dl>
        {!enabled ? (
          <p className="mt-6 text-sm text-red-600">The demo wallet is disabled on this broker.</p>
        ) : open ? (
          <div className="mt-8 flex gap-3">
            <form method="post" action={`/checkout/${order.id}/pay`} className="flex-1">
              <button
                type="submit"
                className="w-full rounded-lg bg-emerald-600 px-4 py-2.5 font-medium text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
              >
                Pay {order.payAmount} {assetSymbol}
              </button>
            </form>
            {order.status === "created" && (
              <form method="post" action={`/checkout/${order.id}/cancel`}>
                <button
                  type="submit"
                  className="rounded-lg border border-zinc-300 px-4 py-2.5 font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 dark:border-zinc-700 dark:hover:bg-zinc-800"
                >
                  Cancel
                </button>
              </form>
            )}
          </div>
        ) : (
          <a
            href={order.returnUrl}
            className="mt-8 block text-center text-sm font-medium text-emerald-700 underline dark:text-emerald-400"
          >
            Back to the merchant
          </a>
        )}
      </div>
      <section aria-labelledby="timeline" className="mt-6 text-sm">
        <h2 id="timeline" className="font-medium text-zinc-600 dark:text-zinc-400">
          Timeline
        </h2>
        <ol className="mt-2 space-y-1" data-testid="timeline">
          {view.events.map((e) => (
            <li key={String(e.id)} className="flex gap-3">
              <time
                className="shrink-0 tabular-nums text-zinc-500"
                dateTime={e.createdAt.toISOString()}
                title={e.createdAt.toISOString()}
              >
                {e.createdAt.toISOString().slice(11, 19)}Z
              </time>
              <span>
                <code className="text-xs">{e.type}</code> — {e.message}
              </span>
            </li>
          ))}
        </ol>
      </section>
      <p className="mt-4 text-center text-xs text-zinc-500">No money moves on the demo wallet. Order {order.id}</p>
    </main>
  );
}

function Row({ label, value, testId, strong }: { label: string; value: string; testId?: string; strong?: boolean }) {
  return (
    <div className="flex justify-between gap-4">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd data-testid={testId} className={strong ? "font-semibold" : undefined}>
        {value}
      </dd>
    </div>
  );
}
