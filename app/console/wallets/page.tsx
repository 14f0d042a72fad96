import type { Metadata } from "next";
import { serverCaller } from "@/adapters/trpc/server";
import { Empty, Hidden, Table, Time, ui } from "../format";
import { WalletToggle } from "../operator-forms";

export const metadata: Metadata = { title: "Wallets" };
export const dynamic = "force-dynamic";

/** The wallet payment methods the broker offers MixPay, and the provider that serves each. */
export default async function WalletsPage() {
  const rows = await (await serverCaller()).operator.wallets();
  return (
    <div>
      <h1 className="text-xl font-semibold">Wallets</h1>
      <p className="mt-1 text-sm text-zinc-500">
        A disabled wallet is no longer offered: MixPay calls naming it are refused with 11000, as for an unknown wallet.
      </p>
      {rows.length === 0 ? (
        <Empty>No wallets configured.</Empty>
      ) : (
        <Table
          columns={[
            "Wallet (MixPay name)",
            "Display name",
            "Provider",
            "Served by",
            "State",
            "Updated",
            <Hidden key="actions">Actions</Hidden>,
          ]}
          testId="wallets"
        >
          {rows.map((w) => (
            <tr key={w.name} className={ui.tr} data-testid={`wallet-${w.name}`}>
              <td className={`${ui.td} font-mono`}>{w.name}</td>
              <td className={ui.td}>{w.displayName}</td>
              <td className={ui.td}>{w.provider}</td>
              <td className={ui.td} data-testid={`served-by-${w.name}`}>
                {w.servedBySummary}
              </td>
              <td className={ui.td}>
                {w.enabled ? (
                  <span className="text-emerald-700 dark:text-emerald-300">enabled</span>
                ) : (
                  <span className="text-zinc-500">disabled</span>
                )}
              </td>
              <td className={ui.td}>
                <Time at={w.updatedAt} />
              </td>
              <td className={ui.td}>
                <WalletToggle name={w.name} enabled={w.enabled} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
