import type { Metadata } from "next";
import Link from "next/link";
import { ORDER_STATUSES } from "@/db/schema/orders";
import { filterFromSearchParams } from "@/server/console/search-params";
import { currentUser, serverCaller } from "@/adapters/trpc/server";
import { Amount, Status, Table, Time } from "../format";
import { ExportLink } from "./export-link";

export const metadata: Metadata = { title: "Payments" };
export const dynamic = "force-dynamic";

type SP = Record<string, string | string[] | undefined>;

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<SP> }) {
  const sp = await searchParams;
  const caller = await serverCaller();
  const filter = filterFromSearchParams(sp);
  const cursorAt = typeof sp.cursorAt === "string" ? sp.cursorAt : undefined;
  const cursorId = typeof sp.cursorId === "string" ? sp.cursorId : undefined;
  const cursor = cursorAt && cursorId ? { createdAt: new Date(cursorAt), id: cursorId } : undefined;
  const [page, totals, assetList, user] = await Promise.all([
    caller.orders.list({ filter, cursor, limit: 50 }),
    caller.orders.totals({ filter }),
    caller.orders.assets(),
    currentUser(),
  ]);
  const isOperator = user?.role === "operator";
  const keep = new URLSearchParams(
    Object.entries(sp).flatMap(([k, v]) => (typeof v === "string" && v && !k.startsWith("cursor") ? [[k, v]] : [])),
  );
  const next = page.nextCursor
    ? `?${new URLSearchParams([...keep, ["cursorAt", page.nextCursor.createdAt.toISOString()], ["cursorId", page.nextCursor.id]])}`
    : null;
  const input =
    "mt-1 w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <div>
      <h1 className="text-xl font-semibold">{isOperator ? "All orders" : "Payment history"}</h1>
      <form
        method="get"
        className="mt-4 grid grid-cols-2 gap-3 text-sm md:grid-cols-4 lg:grid-cols-8"
        aria-label="Filters"
      >
        <label className="col-span-2">
          Trace id or order id
          <input name="q" defaultValue={filter.q ?? ""} className={input} />
        </label>
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""} className={input}>
            <option value="">any</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Asset
          <select name="asset" defaultValue={filter.assetId ?? ""} className={input}>
            <option value="">any</option>
            {assetList.map((a) => (
              <option key={a.assetId} value={a.assetId}>
                {a.symbol}
              </option>
            ))}
          </select>
        </label>
        <label>
          Wallet
          <input name="wallet" defaultValue={filter.wallet ?? ""} className={input} />
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={typeof sp.from === "string" ? sp.from : ""} className={input} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={typeof sp.to === "string" ? sp.to : ""} className={input} />
        </label>
        {isOperator && (
          <label className="col-span-2">
            Payee id
            <input name="payee" defaultValue={filter.payeeId ?? ""} className={input} />
          </label>
        )}
        <div className="flex items-end gap-2">
          <button
            type="submit"
            className="rounded-md bg-zinc-900 px-3 py-1.5 text-white dark:bg-zinc-100 dark:text-zinc-900"
          >
            Filter
          </button>
          <ExportLink href={`/console/payments/export?${keep}`} />
        </div>
      </form>

      <section aria-label="Totals" className="mt-4 flex flex-wrap gap-3 text-sm" data-testid="totals">
        {totals.length === 0 ? (
          <span className="text-zinc-500">No payments match.</span>
        ) : (
          totals.map((t) => (
            <span key={t.assetId} className="rounded-md bg-white px-3 py-1.5 shadow-sm dark:bg-zinc-900">
              {t.count} × <Amount value={t.amount} symbol={t.symbol} /> (fees{" "}
              <Amount value={t.fees} symbol={t.symbol} />)
            </span>
          ))
        )}
      </section>

      <div className="mt-4 overflow-x-auto">
        <Table
          columns={["Created", "Trace id", "Amount", "Paid by user", "Wallet", "Status"]}
          className="w-full text-left text-sm"
          headClassName="text-zinc-500"
          thClassName="py-2 pr-4 font-medium"
          bodyTestId="orders"
        >
          {page.items.map((o) => (
            <tr key={o.id} className="border-t border-zinc-200 dark:border-zinc-800">
              <td className="py-2 pr-4">
                <Time at={o.createdAt} />
              </td>
              <td className="py-2 pr-4 font-mono text-xs">
                <Link href={`/console/orders/${o.id}`} className="underline">
                  {o.traceId}
                </Link>
              </td>
              <td className="py-2 pr-4">
                <Amount value={o.amount} symbol={o.symbol} />
              </td>
              <td className="py-2 pr-4">
                <Amount value={o.payAmount} symbol={o.symbol} />
              </td>
              <td className="py-2 pr-4">{o.wallet}</td>
              <td className="py-2 pr-4">
                <Status value={o.status} />
              </td>
            </tr>
          ))}
        </Table>
        {page.items.length === 0 && <p className="py-6 text-center text-zinc-500">Nothing here yet.</p>}
      </div>
      {next && (
        <Link
          href={next}
          className="mt-4 inline-block rounded-md border border-zinc-300 px-3 py-1.5 text-sm dark:border-zinc-700"
        >
          Older →
        </Link>
      )}
    </div>
  );
}
