/**
 * BENCHMARKS.md and SVG plots from bench/results/*.json (written by the scripts).
 *   tsx bench/report.ts
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompareBuildsResult, InstancesRow, LoadResult } from "./lib";
import { RESULTS } from "./lib";
import { settlementSection, type SettlementRun } from "./report-settlement";

const read = <T>(name: string): T | undefined => {
  const f = path.join(RESULTS, `${name}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as T) : undefined;
};
const load = read<{
  when: string;
  conditions?: string;
  durationS: number;
  results: (LoadResult & { loadAvg?: number })[];
  ratioToFloor: number;
  ceilingToFloor?: number;
  appToCeiling?: number;
  saturationRounds?: { label: string; round: number; rps: number }[];
}>("mixpay-load");
const compare = read<CompareBuildsResult>("compare-builds");
const contention = read<{
  rows: {
    concurrent: number;
    covers: number;
    successes: number;
    unavailable: number;
    other: number;
    p50: number;
    p99: number;
    wallMs: number;
  }[];
  exact: boolean;
}>("reservation-contention");
type Q = { p50: number; p95: number; max: number };
const store = read<{
  report: (Record<string, Q | number | { rows: number; ms: number }> & {
    size: number;
    seedMs: number;
    export100k: { rows: number; ms: number };
  })[];
}>("store-scale");
type OpenOrders = {
  when: string;
  conditions: string;
  quick: boolean;
  durationS: number;
  sequentialN: number;
  scale: {
    openOrders: number;
    loadAvg?: number;
    seedMs: number;
    sequential: { p50: number; p99: number; errors: number };
    saturation: LoadResult;
  }[];
  instances: InstancesRow[];
};
const open = read<OpenOrders>("open-orders");
const bg = read<{
  snapshots: { snapshots: number; ms: number; perSecond: number }[];
  balanceSync: { assets: number; outputs: number; medianMs: number; maxMs: number }[];
}>("background");

/** A small line chart as SVG: x categories, one polyline per series, y from 0. */
function svgChart(
  title: string,
  xLabels: string[],
  series: { name: string; values: number[]; color: string }[],
  yLabel: string,
): string {
  const W = 640,
    H = 320,
    L = 60,
    R = 150,
    T = 40,
    B = 50;
  const maxY = Math.max(1, ...series.flatMap((s) => s.values)) * 1.1;
  const x = (i: number) => L + (xLabels.length === 1 ? 0 : (i * (W - L - R)) / (xLabels.length - 1));
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const ticks = Array.from({ length: 5 }, (_, i) => (maxY * i) / 4);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>
${ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${t < 10 ? t.toFixed(1) : Math.round(t)}</text>`).join("\n")}
<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${yLabel}</text>
${xLabels.map((l, i) => `<text x="${x(i)}" y="${H - B + 18}" text-anchor="middle">${l}</text>`).join("\n")}
${series
  .map(
    (s, k) =>
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ")}"/>` +
      s.values.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="3" fill="${s.color}"/>`).join("") +
      `<rect x="${W - R + 12}" y="${T + k * 18}" width="10" height="10" fill="${s.color}"/><text x="${W - R + 28}" y="${T + k * 18 + 9}">${s.name}</text>`,
  )
  .join("\n")}
</svg>`;
}

const lines: string[] = [
  "# Benchmarks",
  "",
  "Measured on this project's CI kind of machine (2 cores, PostgreSQL 15 on 127.0.0.1), by `npm run bench` (`npm run build` first). Load goes to 127.0.0.1 only. None of this is part of CI's pass/fail.",
  "",
];
const ok = (b: boolean) => (b ? "met" : "**not met**");

if (load) {
  const r = (label: string, rate: number | "max") =>
    load.results.find((x) => x.label === label && x.targetRps === rate);
  const floorMax = r("range-floor", "max")!;
  const appMax = r("range-app", "max")!;
  const ceilingMax = r("range-next-ceiling", "max");
  const app300 = r("range-app", 300)!;
  lines.push(
    "## MixPay endpoints under load (`tsx bench/mixpay-load.ts`)",
    "",
    `${load.durationS} s per step; production build (\`next build\` + \`npm start\`'s server) on PostgreSQL. Three servers in the same run: the broker; the **floor**, a bare \`node:http\` server calling the very function the route exports (\`handleAssetsRange\`: transport check, parameters, the catalog cache, the one balances statement, metrics) with the same settings; and **Next's ceiling** (bench/next-ceiling), a Next.js app whose assets/range route handler does nothing but answer a constant body of the same shape, under \`next start\`. The saturated steps run the three in turn ${load.saturationRounds ? Math.max(...load.saturationRounds.map((x) => x.round)) + 1 : 1} time(s) (the machine's speed drifts over minutes) and the table shows each one's median round. Before issue 14's hot-path work: saturated broker 640 rps vs floor 1542 (0.42×), p99 at 300 rps 19 ms, create_order saturated 181 rps (quiet machine).`,
    "",
  );
  lines.push(`Run ${load.when}.${load.conditions ? ` Conditions: ${load.conditions}` : ""}`, "");
  lines.push(
    "| endpoint | target rps | achieved rps | p50 ms | p90 ms | p99 ms | errors | load avg (1 min, 2 cores) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const x of load.results)
    lines.push(
      `| ${x.label} | ${x.targetRps} | ${x.rps} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${x.loadAvg ?? ""} |`,
    );
  const belowSat = load.results.filter((x) => x.targetRps !== "max" && x.label.endsWith("app") && x.targetRps !== 1000);
  lines.push(
    "",
    `- Saturated assets/range: broker **${appMax.rps} rps**, floor **${floorMax.rps} rps**, ratio **${load.ratioToFloor}×** (target ≥ 0.5×: ${ok(load.ratioToFloor >= 0.5)}).`,
    ...(ceilingMax
      ? [
          `- Next's ceiling: a route handler that does nothing answers **${ceilingMax.rps} rps**, **${load.ceilingToFloor}×** the floor; the broker reaches **${load.appToCeiling}×** that ceiling. A route handler doing the floor's work pays Next's pipeline and that work one after the other on one thread, so it can answer at most about 1 / (1/${ceilingMax.rps} + 1/${floorMax.rps}) = **${Math.round(1 / (1 / ceilingMax.rps + 1 / floorMax.rps))} rps, ${(ceilingMax.rps / (ceilingMax.rps + floorMax.rps)).toFixed(2)}× the floor** (slightly more: node:http's own parsing is counted twice): the broker is at ${(appMax.rps / (1 / (1 / ceilingMax.rps + 1 / floorMax.rps))).toFixed(2)} of that bound, and 0.5× is out of reach of any Next.js route handler on this machine.`,
        ]
      : []),
    `- assets/range p99 at 300 rps: **${app300.p99} ms** (target ≤ 25 ms: ${ok(app300.p99 <= 25)}).`,
    `- Errors below saturation (100 and 300 rps): **${belowSat.reduce((n, x) => n + x.errors, 0)}** (target 0: ${ok(belowSat.every((x) => x.errors === 0))}).`,
    "",
    "Reading these figures:",
    "",
    "- **Round trips.** assets/range is one statement (the balances with the catalog version) and create_order three (both rate-limit counters with the catalog version; the check-reserve-insert; the wallet's links with their event), from 5 and 9: wallets, assets and the payee access policy come from a per-process cache that is checked against `catalog_version` inside those statements (server/catalog/catalog-cache.ts), so it is never staler than the request's first statement. `adapters/mixpay-http/query-count.test.ts` holds these counts.",
    "- **Next's share.** The proxy (proxy.ts) no longer runs on `/mixpay/assets/range` (its headers come from next.config.mjs, its edge cases from the route), the handler no longer re-parses its own answer for the metrics, the transport check parses its address lists once, and loggers are made once per module. What is left of the difference to the floor is Next's request pipeline itself, which a route handler cannot skip, and the ceiling row measures it directly: Next.js 16 answering an empty route handler costs more CPU per request than the floor doing the broker's whole job. Measured with \`/proc\` CPU times at saturation (2026-12-04): the floor spends about 0.2–0.3 ms of CPU per assets/range, the broker 1.4–1.8 ms. A CPU profile of the broker at saturation (\`BENCH_CPU_PROF=<dir>\` on any benchmark) spreads Next's share thinly: routing and rewrites, the route module's request adapter, tracing, compression, and the Web Request/Response machinery it runs on (undici, web streams, AbortController, and on Node 20 the async-hooks-based AsyncLocalStorage that every promise pays for); the MixPay code itself is a few percent. The ratio fell from 0.42× although the broker got faster, because the floor lost four of its five queries too: it now measures Next alone. What would reach 0.5×: answering the two MixPay routes from the listener in scripts/serve.ts (the floor is that), which the issue rules out.",
    "- **Reservations of one asset are serial by design.** Each create_order reserves with one conditional UPDATE of the asset's balance row (the counter; no sum over orders), inserting the order and its event in the same statement; reservations of one asset stay serial (that keeps them exact, next sections); orders of different assets run in parallel.",
    "",
    "![latency vs rate](bench/results/latency-vs-rate.svg)",
    "",
  );
  const rates = [100, 300, 1000];
  writeFileSync(
    path.join(RESULTS, "latency-vs-rate.svg"),
    svgChart(
      "assets/range p99 latency vs offered rate",
      rates.map(String),
      [
        { name: "broker p99", values: rates.map((k) => r("range-app", k)?.p99 ?? 0), color: "#2563eb" },
        { name: "floor p99", values: rates.map((k) => r("range-floor", k)?.p99 ?? 0), color: "#16a34a" },
        { name: "broker p50", values: rates.map((k) => r("range-app", k)?.p50 ?? 0), color: "#93c5fd" },
      ],
      "ms",
    ),
  );
}

if (contention) {
  lines.push(
    "## Reservation contention (`tsx bench/reservation-contention.ts`)",
    "",
    "K concurrent create_orders of 1 USDT against a balance covering exactly N.",
    "",
    "| concurrent | balance covers | created | 11002 | other | p50 ms | p99 ms | all done in ms |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const c of contention.rows)
    lines.push(
      `| ${c.concurrent} | ${c.covers} | ${c.successes} | ${c.unavailable} | ${c.other} | ${c.p50} | ${c.p99} | ${c.wallMs} |`,
    );
  lines.push(
    "",
    `Exact at every size: ${ok(contention.exact)}. Latency grows linearly with the number of concurrent requests: they queue on the asset's balance row lock and are answered one after another.`,
    "",
  );
}

if (open) {
  lines.push(
    "## create_order against open orders of the same asset (`tsx bench/open-orders.ts`)",
    "",
    `Open \`created\` orders of USDT seeded with SQL; ${open.sequentialN} sequential requests (one at a time), then ${open.durationS} s at saturation (32 connections). Production build on PostgreSQL. Before the reservation counter (main, same machine kind): sequential p50 20 ms at 0 and 10,000 open orders, 43 ms at 100,000, 76 ms at 300,000; saturation 120–180 rps at 0.`,
    "",
    `Run ${open.when}${open.quick ? " with --quick (shorter steps, fewer sizes)" : ""}.${open.conditions ? ` Conditions: ${open.conditions}` : ""}`,
    "",
    "| open orders | sequential p50 ms | sequential p99 ms | saturation rps | saturation p50 ms | saturation p99 ms | errors | seeding ms | load avg (1 min, 2 cores) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const x of open.scale)
    lines.push(
      `| ${x.openOrders.toLocaleString("en")} | ${x.sequential.p50} | ${x.sequential.p99} | ${x.saturation.rps} | ${x.saturation.p50} | ${x.saturation.p99} | ${x.sequential.errors + x.saturation.errors} | ${x.seedMs} | ${x.loadAvg ?? ""} |`,
    );
  const first = open.scale[0];
  const last = open.scale[open.scale.length - 1];
  if (first && last) {
    const ratio = Number((last.sequential.p50 / first.sequential.p50).toFixed(2));
    lines.push(
      "",
      `- p50 at ${last.openOrders.toLocaleString("en")} open orders is **${ratio}×** the p50 at 0 (target ≤ 1.2×: ${ok(ratio <= 1.2)}${last.openOrders < 300_000 ? "; the 300,000 case was not in this run" : ""}).`,
      `- Single-asset saturation at 0 open orders: **${first.saturation.rps} rps** in this run (issue 14 measured 120–180 rps before; the like-for-like comparison is the next section, both builds on one machine in one run).`,
    );
  }
  if (open.conditions)
    lines.push(
      "- On a shared machine the sizes run one after another while the other helpers' load changes (the last column), so compare sizes within a run, and re-run on a quiet machine for absolute figures. create_order is three statements whatever the number of open orders (adapters/mixpay-http/query-count.test.ts); what bounds one asset's saturation on this machine is the broker's one Node.js thread, not the asset's balance row lock: at saturation the broker uses a whole core (2.6–3.6 ms of CPU per create_order, about 2 of them Next's pipeline), while the same handler without Next (the floor, on the same lock) answers 560–640 rps, and the lock is held only from the reserving UPDATE to the commit's WAL flush (fdatasync here takes ~0.13 ms).",
    );
  lines.push(
    "",
    `One broker process vs two on the same PostgreSQL, 32 connections in all, 1 USDT orders against a balance meant to run out during the run${open.instances.some((i) => i.unavailable > 0) ? "" : " (it did not in this run: throughput was too low on the shared machine; exactness is then the counter equal to the open orders)"}:`,
    "",
    "| processes | rps | created | 11002 | other | balance | counter | open orders sum | exact |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const i of open.instances)
    lines.push(
      `| ${i.processes} | ${i.rps} | ${i.created} | ${i.unavailable} | ${i.other} | ${i.balance} | ${i.reservedCounter} | ${i.openSum} | ${i.exact ? "yes" : "**no**"} |`,
    );
  lines.push("", "![create_order vs open orders](bench/results/open-orders.svg)", "");
  writeFileSync(
    path.join(RESULTS, "open-orders.svg"),
    svgChart(
      "create_order latency vs open orders of the asset",
      open.scale.map((x) => x.openOrders.toLocaleString("en")),
      [
        { name: "sequential p50", values: open.scale.map((x) => x.sequential.p50), color: "#2563eb" },
        { name: "sequential p99", values: open.scale.map((x) => x.sequential.p99), color: "#93c5fd" },
        { name: "saturated p50", values: open.scale.map((x) => x.saturation.p50), color: "#dc2626" },
      ],
      "ms",
    ),
  );
}

if (compare) {
  const [before, after] = compare.builds;
  lines.push(
    "## create_order saturation, before and after, in one run (`tsx bench/compare-builds.ts <before> <after>`)",
    "",
    `Both builds on this machine in one run, alternating, each round on a fresh database: ${compare.durationS} s of 1.5 USDT create_orders over 32 connections (one asset, balance far from running out), after 3 s of warm-up. "Before" is a worktree of ${before!.commit} (main before issue 14) with \`npm run build\` done; "after" is ${after!.commit}. CPU is the broker process's user + system time from \`/proc\` over the step.`,
    "",
    `Run ${compare.when}.`,
    "",
    "| round | build | rps | p50 ms | p99 ms | errors | CPU ms per request | load avg (1 min, 2 cores) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...compare.runs.map(
      (x) =>
        `| ${x.round + 1} | ${x.build} (${compare.builds.find((b) => b.name === x.build)!.commit}) | ${x.rps} | ${x.p50} | ${x.p99} | ${x.errors} | ${x.cpuMsPerRequest} | ${x.loadAvg} |`,
    ),
    "",
    `- Median: **${before!.medianRps} → ${after!.medianRps} rps, ${compare.medianRatio}×** (target ≥ 2×: ${ok(compare.medianRatio >= 2)}); round by round ${compare.pairRatios.map((x) => `${x}×`).join(", ")}.`,
    `- CPU per create_order, median: ${before!.medianCpuMs} → ${after!.medianCpuMs} ms. The broker's thread is what saturates (previous section), so throughput follows it.`,
    "",
  );
}

if (store) {
  const keys = [
    "merchantFirstPage",
    "merchantDeepPage",
    "merchantFiltered",
    "merchantTotals",
    "operatorStatusPage",
    "operatorAllPage",
    "operatorTraceSearch",
  ];
  lines.push(
    "## History queries on a big store (`tsx bench/store-scale.ts`)",
    "",
    "50 runs each through the real service functions (`listOrders`, `orderTotals`), 1,000 payees; plans in `bench/results/store-scale-plans.txt`.",
    "",
  );
  lines.push(
    `| query | ${store.report.map((r) => `${r.size.toLocaleString("en")} orders p50 / p95 ms`).join(" | ")} |`,
    `| --- | ${store.report.map(() => "---").join(" | ")} |`,
  );
  for (const k of keys)
    lines.push(`| ${k} | ${store.report.map((r) => `${(r[k] as Q).p50} / ${(r[k] as Q).p95}`).join(" | ")} |`);
  lines.push(
    `| CSV export scan of 100k rows (ms) | ${store.report.map((r) => `${r.export100k.ms} (${r.export100k.rows} rows)`).join(" | ")} |`,
  );
  lines.push(`| seeding (ms) | ${store.report.map((r) => r.seedMs).join(" | ")} |`);
  const worst = Math.max(...store.report.flatMap((r) => keys.map((k) => (r[k] as Q).p95)));
  lines.push(
    "",
    `Worst page p95: **${worst} ms** (target ≤ 50 ms: ${ok(worst <= 50)}).`,
    "",
    "![growth](bench/results/store-growth.svg)",
    "",
  );
  writeFileSync(
    path.join(RESULTS, "store-growth.svg"),
    svgChart(
      "history page p95 vs table size",
      store.report.map((r) => r.size.toLocaleString("en")),
      keys.slice(0, 6).map((k, i) => ({
        name: k,
        values: store.report.map((r) => (r[k] as Q).p95),
        color: ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2"][i]!,
      })),
      "ms",
    ),
  );
}

if (bg) {
  lines.push(
    "## Background work (`tsx bench/background.ts`)",
    "",
    "Through the real SDK port against the Mixin emulator, on PostgreSQL.",
    "",
    "| work | size | time | rate |",
    "| --- | --- | --- | --- |",
  );
  for (const s of bg.snapshots)
    lines.push(
      `| snapshot processing | ${s.snapshots} snapshots | ${s.ms} ms | ${s.perSecond} /s (target ≥ 2,000/s: ${ok(s.perSecond >= 2000)}) |`,
    );
  for (const b of bg.balanceSync)
    lines.push(
      `| balance sync | ${b.assets} assets, ${b.outputs} outputs | median ${b.medianMs} ms, max ${b.maxMs} ms | target ≤ 1 s: ${ok(b.maxMs <= 1000)} |`,
    );
  lines.push("");
}
lines.push(
  ...settlementSection(
    read<SettlementRun>("settlement-latency"),
    read<SettlementRun>("settlement-latency-before"),
    svgChart,
  ),
);
// Sections written by hand or by other scripts (the ledger's) are kept as they are.
const mdPath = path.join(process.cwd(), "BENCHMARKS.md");
const written = new Set(lines.filter((l) => l.startsWith("## ")));
if (existsSync(mdPath)) {
  const kept = readFileSync(mdPath, "utf8")
    .split(/\n(?=## )/)
    .filter((sec) => sec.startsWith("## ") && !written.has(sec.split("\n")[0]!));
  for (const sec of kept) lines.push(sec.trimEnd(), "");
}
writeFileSync(mdPath, lines.join("\n"));
console.log("wrote BENCHMARKS.md");
