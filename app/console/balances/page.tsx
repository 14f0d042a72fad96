import type { Metadata } from "next";
import { serverCaller } from "@/adapters/trpc/server";
import { Amount, Empty, Table, Time, ui } from "../format";
import { ThresholdForm } from "../operator-forms";

export const metadata: Metadata = { title: "Balances" };
export const dynamic = "force-dynamic";

/** The Mixin bot's balance per asset: what it holds, what open orders reserve, what is left. */
export default async function BalancesPage() {
  const rows = await (await serverCaller()).operator.balances();
  return (
    <div>
      <h1 className="text-xl font-semibold">Balances</h1>
      <p className="mt-1 text-sm text-zinc-500">
        Available = balance − reserved (amounts of open orders not yet settled). Below its threshold an asset raises a
        low-balance alert.
      </p>
      {rows.length === 0 ? (
        <Empty>No assets configured.</Empty>
      ) : (
        <div className="overflow-x-auto">
          <Table
            columns={["Asset", "Balance", "Reserved", "Available", "Last sync", "Low-balance threshold"]}
            testId="balances"
          >
            {rows.map((b) => (
              <tr key={b.assetId} className={ui.tr} data-testid={`balance-${b.symbol}`}>
                <td className={`${ui.td} font-semibold`}>
                  {b.symbol}
                  {b.low && (
                    <span className="ml-2 rounded bg-red-100 px-1 text-xs font-medium text-red-700 dark:bg-red-950 dark:text-red-300">
                      low
                    </span>
                  )}
                  {!b.enabled && (
                    <span className="ml-2 rounded bg-zinc-200 px-1 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400">
                      disabled
                    </span>
                  )}
                </td>
                <td className={ui.td}>
                  <Amount value={b.balance} symbol={b.symbol} />
                </td>
                <td className={ui.td}>
                  <Amount value={b.reserved} symbol={b.symbol} />
                </td>
                <td className={ui.td}>
                  <Amount value={b.available} symbol={b.symbol} />
                </td>
                <td className={ui.td}>
                  <Time at={b.syncedAt} />
                </td>
                <td className={ui.td}>
                  <ThresholdForm assetId={b.assetId} symbol={b.symbol} value={b.lowBalanceThreshold} />
                </td>
              </tr>
            ))}
          </Table>
        </div>
      )}
    </div>
  );
}
