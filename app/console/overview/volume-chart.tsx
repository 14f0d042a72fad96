import { dec } from "@/server/money";

interface Row {
  day: string;
  symbol: string;
  orders: number;
  paid: number;
  volume: string;
}

/**
 * Paid volume per UTC day, one small bar chart per asset (amounts of different assets do not
 * share a scale). Hand-made SVG: each bar has a <title> with the exact amount for hover.
 */
export function VolumeChart({ rows, days: dayList }: { rows: Row[]; days: string[] }) {
  const days = dayList.length;
  const symbols = [...new Set(rows.map((r) => r.symbol))].sort();
  if (symbols.length === 0) return <p className="mt-2 text-sm text-zinc-500">No orders in the last {days} days.</p>;
  const W = 28 * days;
  const H = 90;
  return (
    <div className="mt-2 flex flex-wrap gap-6" data-testid="volume-chart">
      {symbols.map((symbol) => {
        const byDay = new Map(rows.filter((r) => r.symbol === symbol).map((r) => [r.day, r]));
        const max = dayList.reduce((m, d) => {
          const v = dec(byDay.get(d)?.volume ?? "0");
          return v.gt(m) ? v : m;
        }, dec("0"));
        const total = dayList.reduce((s, d) => s.plus(dec(byDay.get(d)?.volume ?? "0")), dec("0"));
        return (
          <figure key={symbol} className="rounded-md bg-white p-3 shadow-sm dark:bg-zinc-900">
            <figcaption className="text-sm font-medium">
              {symbol || "unknown asset"}{" "}
              <span className="font-normal text-zinc-500">
                · {total.toFixed()} {symbol} paid in {days} days
              </span>
            </figcaption>
            <svg
              width={W}
              height={H + 18}
              viewBox={`0 0 ${W} ${H + 18}`}
              role="img"
              aria-label={`Paid ${symbol} volume per day over ${days} days`}
              className="mt-2 text-sky-600 dark:text-sky-400"
            >
              <line x1={0} y1={H} x2={W} y2={H} className="stroke-zinc-300 dark:stroke-zinc-700" />
              {dayList.map((d, i) => {
                const r = byDay.get(d);
                const v = dec(r?.volume ?? "0");
                const h = max.isZero()
                  ? 0
                  : Math.max(
                      v.isZero() ? 0 : 2,
                      v
                        .div(max)
                        .times(H - 4)
                        .toNumber(),
                    );
                return (
                  <g key={d}>
                    <rect x={i * 28 + 4} y={H - h} width={20} height={h} rx={2} fill="currentColor">
                      <title>{`${d}: ${v.toFixed()} ${symbol} paid (${r?.paid ?? 0} of ${r?.orders ?? 0} orders)`}</title>
                    </rect>
                    {(i % 7 === 0 || i === days - 1) && (
                      <text x={i * 28 + 14} y={H + 13} textAnchor="middle" className="fill-zinc-500 text-[9px]">
                        {d.slice(5)}
                      </text>
                    )}
                  </g>
                );
              })}
            </svg>
          </figure>
        );
      })}
    </div>
  );
}
