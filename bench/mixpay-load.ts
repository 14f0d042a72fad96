/**
 * MixPay's hot path under load: assets/range and create_order against the production build on
 * PostgreSQL, at fixed rates and at saturation, with the floor (bench/floor-server.ts: the same
 * handler without Next) and Next's ceiling (bench/next-ceiling: a route handler that does nothing)
 * measured in the same run. `npm run build` first.   tsx bench/mixpay-load.ts [--quick]
 */
import { spawn } from "node:child_process";
import postgres from "postgres";
import {
  createOrderBody,
  brokerEnv,
  closeMixin,
  freshDatabase,
  mixinDouble,
  keepBalancesFresh,
  load,
  loadAverage,
  PAYEE,
  save,
  startBroker,
  USDT,
  waitFor,
  type LoadResult,
} from "./lib";
import { startNextCeiling } from "./next-ceiling";

const quick = process.argv.includes("--quick");
const duration = quick ? 3 : 10;
const APP_PORT = Number(process.env.BENCH_PORT_BASE ?? 4080);
const FLOOR_PORT = APP_PORT + 10;
const CEILING_PORT = APP_PORT + 20;

// Next's own ceiling first (it builds for about a minute): a failure here leaves nothing running.
const ceiling = await startNextCeiling(CEILING_PORT);

const db = await freshDatabase("bench_load");
// A broker that cannot start leaves no database behind.
const app = await startBroker(db.url, APP_PORT).catch(async (e: unknown) => {
  await db.drop();
  await closeMixin();
  throw e;
});
const fresh = keepBalancesFresh(db.url);
// Room for every create_order of the run: a big balance and wide limits.
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
await sql`update balances set balance = 100000000 where asset_id = ${USDT}`;
await sql`update assets set max_usdt = 1000000`;
await sql.end();
const floor = spawn(process.execPath, ["--import", "tsx", "bench/floor-server.ts"], {
  stdio: "ignore",
  env: brokerEnv(db.url, FLOOR_PORT, await mixinDouble()),
});
await waitFor(`http://127.0.0.1:${FLOOR_PORT}/health`);

const rangePath = `/mixpay/assets/range?payee_id=${PAYEE}&wallet=demo`;
const results: (LoadResult & { loadAvg: number })[] = [];
const step = async (r: Parameters<typeof load>[0]) => {
  const loadAvg = loadAverage();
  results.push({ ...(await load(r)), loadAvg });
};
// The saturated runs: each target in turn, SATURATION_ROUNDS times (this machine's speed drifts
// over minutes; alternating keeps the three comparable), the median round in the table.
const SATURATION_ROUNDS = quick ? 1 : 3;
const rounds: { label: string; round: number; rps: number; p50: number; p99: number; loadAvg: number }[] = [];
try {
  // Warm all three (JIT, connection pools, Next's route cache).
  for (const port of [APP_PORT, FLOOR_PORT, CEILING_PORT])
    await load({ label: "warm", url: `http://127.0.0.1:${port}${rangePath}`, durationS: 3 });
  for (const target of ["floor", "app"] as const) {
    const port = target === "app" ? APP_PORT : FLOOR_PORT;
    for (const rate of [100, 300, 1000])
      await step({ label: `range-${target}`, url: `http://127.0.0.1:${port}${rangePath}`, rate, durationS: duration });
  }
  const saturated: Record<string, (LoadResult & { loadAvg: number })[]> = {};
  for (let round = 0; round < SATURATION_ROUNDS; round++)
    for (const [target, port] of [
      ["floor", FLOOR_PORT],
      ["next-ceiling", CEILING_PORT],
      ["app", APP_PORT],
    ] as const) {
      const loadAvg = loadAverage();
      const r = await load({
        label: `range-${target}`,
        url: `http://127.0.0.1:${port}${rangePath}`,
        connections: 32,
        durationS: duration,
      });
      (saturated[target] ??= []).push({ ...r, loadAvg });
      rounds.push({ label: r.label, round, rps: r.rps, p50: r.p50, p99: r.p99, loadAvg });
    }
  for (const runs of Object.values(saturated)) results.push(runs.sort((a, b) => a.rps - b.rps)[runs.length >> 1]!);
  const body = () =>
    createOrderBody({ amount: "1.5", memo: "bench", opponentId: "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37" });
  // create_order takes ~25 ms even unloaded (one reservation lock per asset): more connections to hold the rate.
  for (const rate of [100, 300])
    await step({
      label: "create-app",
      url: `http://127.0.0.1:${APP_PORT}/mixpay/create_order`,
      method: "POST",
      body,
      rate,
      connections: Math.ceil(rate / 10),
      durationS: duration,
    });
  await step({
    label: "create-app",
    url: `http://127.0.0.1:${APP_PORT}/mixpay/create_order`,
    method: "POST",
    body,
    connections: 32,
    durationS: duration,
  });
} finally {
  await fresh.stop();
  app.kill("SIGTERM");
  floor.kill("SIGTERM");
  await ceiling.stop();
  await new Promise((r) => setTimeout(r, 1500));
  await db.drop();
  await closeMixin();
}

const floorMax = results.find((r) => r.label === "range-floor" && r.targetRps === "max")!.rps;
const appMax = results.find((r) => r.label === "range-app" && r.targetRps === "max")!.rps;
const ceilingMax = results.find((r) => r.label === "range-next-ceiling" && r.targetRps === "max")!.rps;
const out = {
  when: new Date().toISOString(),
  conditions: process.env.BENCH_CONDITIONS ?? "",
  durationS: duration,
  results,
  ratioToFloor: Number((appMax / floorMax).toFixed(2)),
  ceilingToFloor: Number((ceilingMax / floorMax).toFixed(2)),
  appToCeiling: Number((appMax / ceilingMax).toFixed(2)),
  saturationRounds: rounds,
};
save("mixpay-load", out);
for (const r of results)
  console.log(
    `${r.label.padEnd(12)} ${String(r.targetRps).padStart(5)} rps → ${String(r.rps).padStart(5)} rps  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}  ${JSON.stringify(r.codes)}  load avg ${r.loadAvg}`,
  );
console.log(
  `saturated assets/range (median of ${SATURATION_ROUNDS}): app ${appMax} rps, floor ${floorMax} rps, ratio ${out.ratioToFloor}; Next's empty route handler ${ceilingMax} rps (${out.ceilingToFloor}× the floor; the app is ${out.appToCeiling}× it)`,
);
