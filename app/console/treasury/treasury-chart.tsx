import { dec } from "@/server/money";

interface Point {
  day: string;
  bot: string;
  wallet: string;
}

/**
 * End-of-day balances over 14 UTC days: the Mixin bot (what settles to MixPay) against the wallet
 * side (what end users paid in). The two drift apart as the wallet fills and the bot drains; the
 * dashed line is the bot's reserve for the runway target. Hand-made SVG with a <title> per point.
 */
export function TreasuryChart({
  symbol,
  series,
  reserveLine,
}: {
  symbol: string;
  series: Point[];
  reserveLine: string | null;
}) {
  const W = 420;
  const H = 120;
  const pad = 4;
  const values = series.flatMap((p) => [dec(p.bot), dec(p.wallet)]).concat(reserveLine ? [dec(reserveLine)] : []);
  const max = values.reduce((m, v) => (v.gt(m) ? v : m), dec("0"));
  const min = values.reduce((m, v) => (v.lt(m) ? v : m), dec("0"));
  const span = max.minus(min).isZero() ? dec("1") : max.minus(min);
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, series.length - 1);
  const y = (v: string) =>
    H -
    pad -
    dec(v)
      .minus(min)
      .div(span)
      .times(H - 2 * pad)
      .toNumber();
  const path = (key: "bot" | "wallet") =>
    series.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  return (
    <figure className="mt-2" data-testid={`treasury-chart-${symbol}`}>
      <svg
        width="100%"
        height={H + 18}
        viewBox={`0 0 ${W} ${H + 18}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${symbol}: Mixin bot and wallet balances over ${series.length} days`}
        className="max-w-full"
      >
        <line x1={0} y1={y("0")} x2={W} y2={y("0")} className="stroke-zinc-300 dark:stroke-zinc-700" />
        {reserveLine && (
          <line
            x1={0}
            y1={y(reserveLine)}
            x2={W}
            y2={y(reserveLine)}
            strokeDasharray="4 4"
            className="stroke-red-400 dark:stroke-red-500"
          />
        )}
        <path d={path("wallet")} fill="none" strokeWidth={2} className="stroke-amber-500 dark:stroke-amber-400" />
        <path d={path("bot")} fill="none" strokeWidth={2} className="stroke-sky-600 dark:stroke-sky-400" />
        {series.map((p, i) => (
          <g key={p.day}>
            <circle cx={x(i)} cy={y(p.bot)} r={3} className="fill-sky-600 dark:fill-sky-400">
              <title>{`${p.day}: Mixin bot ${p.bot} ${symbol}`}</title>
            </circle>
            <circle cx={x(i)} cy={y(p.wallet)} r={3} className="fill-amber-500 dark:fill-amber-400">
              <title>{`${p.day}: wallet side ${p.wallet} ${symbol}`}</title>
            </circle>
            {(i % 4 === 0 || i === series.length - 1) && (
              <text
                x={x(i)}
                y={H + 13}
                textAnchor={i === 0 ? "start" : i === series.length - 1 ? "end" : "middle"}
                className="fill-zinc-500 text-[9px]"
              >
                {p.day.slice(5)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="flex gap-4 text-xs text-zinc-500">
        <span>
          <span className="mr-1 inline-block h-2 w-3 rounded bg-sky-600 dark:bg-sky-400" />
          Mixin bot
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-3 rounded bg-amber-500 dark:bg-amber-400" />
          wallet side
        </span>
        {reserveLine && (
          <span>
            <span className="mr-1 inline-block h-0 w-3 border-t-2 border-dashed border-red-400 align-middle" />
            runway target
          </span>
        )}
      </figcaption>
    </figure>
  );
}
