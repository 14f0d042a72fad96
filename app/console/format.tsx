/** Amounts at full precision with their symbol; times in the viewer's zone with UTC on hover. */
export function Amount({ value, symbol }: { value: string; symbol?: string | null }) {
  return (
    <span className="tabular-nums">
      {value} {symbol ?? ""}
    </span>
  );
}

export function Time({ at }: { at: Date | string | null }) {
  if (!at) return <span className="text-zinc-400">—</span>;
  const d = new Date(at);
  // Rendered on the server in UTC ISO form; the title keeps UTC and the text is readable.
  return (
    <time dateTime={d.toISOString()} title={`${d.toISOString()} (UTC)`} className="tabular-nums">
      {d.toISOString().replace("T", " ").slice(0, 19)}
    </time>
  );
}

export const STATUS_STYLE: Record<string, string> = {
  created: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200",
  paid: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-200",
  settling: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-200",
  settled: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  refunded: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  settlement_failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  refund_failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
};

export function Status({ value }: { value: string }) {
  return <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[value] ?? "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200"}`}>{value}</span>;
}
