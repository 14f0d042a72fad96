import type { Metadata } from "next";
import { revalidatePath } from "next/cache";
import { serverCaller } from "@/adapters/trpc/server";

export const metadata: Metadata = { title: "Assets and fees" };
export const dynamic = "force-dynamic";

async function saveAsset(form: FormData) {
  "use server";
  const caller = await serverCaller();
  const threshold = String(form.get("lowBalanceThreshold") ?? "").trim();
  await caller.operator.updateAsset({
    assetId: String(form.get("assetId")),
    enabled: form.get("enabled") === "on",
    minUsdt: String(form.get("minUsdt")).trim(),
    maxUsdt: String(form.get("maxUsdt")).trim(),
    feeRate: String(form.get("feeRate")).trim(),
    lowBalanceThreshold: threshold === "" ? null : threshold,
  });
  revalidatePath("/console/assets");
}

export default async function AssetsPage() {
  const caller = await serverCaller();
  const rows = await caller.operator.balances();
  const input = "w-28 rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <div>
      <h1 className="text-xl font-semibold">Assets and fees</h1>
      <p className="mt-1 text-sm text-zinc-500">
        Limits are in USDT; the fee rate is what the end user pays on top (0.01 = 1%).
      </p>
      <div className="mt-4 space-y-3">
        {rows.map((a) => (
          <form
            key={a.assetId}
            action={saveAsset}
            className="flex flex-wrap items-end gap-3 rounded-md bg-white p-3 text-sm shadow-sm dark:bg-zinc-900"
            aria-label={`${a.symbol} settings`}
            data-testid={`asset-${a.symbol}`}
          >
            <input type="hidden" name="assetId" value={a.assetId} />
            <span className="w-16 font-semibold">{a.symbol}</span>
            <label className="flex items-center gap-1">
              <input type="checkbox" name="enabled" defaultChecked={a.enabled} /> enabled
            </label>
            <label>
              min USDT <input name="minUsdt" defaultValue={a.minUsdt} className={input} />
            </label>
            <label>
              max USDT <input name="maxUsdt" defaultValue={a.maxUsdt} className={input} />
            </label>
            <label>
              fee rate <input name="feeRate" defaultValue={a.feeRate} className={input} />
            </label>
            <label>
              low balance below{" "}
              <input name="lowBalanceThreshold" defaultValue={a.lowBalanceThreshold ?? ""} className={input} />
            </label>
            <span className="text-zinc-500">price {a.priceUsd ?? "unknown"} USD</span>
            <button
              type="submit"
              className="rounded-md bg-zinc-900 px-3 py-1 text-white dark:bg-zinc-100 dark:text-zinc-900"
            >
              Save {a.symbol}
            </button>
          </form>
        ))}
      </div>
    </div>
  );
}
