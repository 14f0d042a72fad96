/**
 * create_order saturation of two builds of the broker on this machine, alternating, so that
 * "N× faster than before" is measured in one run rather than against a figure from another day
 * (this machine's speed drifts by ±25% over minutes). Each build is a checkout with `npm run
 * build` done; each round starts each build on a fresh database, warms it, then loads it with
 * 32 connections of 1.5 USDT create_orders for the step's length. A first round of both is a
 * warm-up and is not counted.
 *   tsx bench/compare-builds.ts <before-checkout> <after-checkout> [--rounds N] [--quick]
 * e.g. before = a worktree of 7f2125f (main before issue 14), after = this checkout (.).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import {
  brokerEnv,
  closeMixin,
  createOrderBody,
  freshDatabase,
  keepBalancesFresh,
  load,
  loadAverage,
  mixinDouble,
  save,
  USDT,
  type CompareBuildsResult,
  type CompareRun,
} from "./lib";
import { startBrokerServer } from "../test/support/broker-process";

const args = process.argv.slice(2);
const dirs = args.filter((a) => !a.startsWith("--") && !/^\d+$/.test(a)).map((d) => path.resolve(d));
if (dirs.length !== 2)
  throw new Error("usage: tsx bench/compare-builds.ts <before-checkout> <after-checkout> [--rounds N]");
const quick = args.includes("--quick");
const rounds = Number(args[args.indexOf("--rounds") + 1] ?? 0) || (quick ? 1 : 5);
const durationS = quick ? 3 : 10;
const PORT = Number(process.env.BENCH_PORT_BASE ?? 4080) + 30;

const commitOf = (dir: string) => execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"]).toString().trim();
const builds = dirs.map((dir, i) => ({ name: i === 0 ? "before" : "after", dir, commit: commitOf(dir) }));
/** CPU seconds the process has used (user + system), from /proc: what a request costs the broker. */
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
};
const body = () =>
  createOrderBody({ amount: "1.5", memo: "bench", opponentId: "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37" });
const url = `http://127.0.0.1:${PORT}/mixpay/create_order`;

const emu = await mixinDouble();
const runs: CompareRun[] = [];
try {
  // Round -1 warms the machine for both builds (PostgreSQL's caches, autovacuum after an earlier benchmark) and is not counted.
  for (let round = -1; round < rounds; round++)
    for (const b of builds) {
      const db = await freshDatabase("bench_compare");
      const child = await startBrokerServer({
        port: PORT,
        dir: b.dir,
        env: brokerEnv(db.url, PORT, emu),
        stdio: ["ignore", "ignore", "inherit"],
      }).catch(async (e: unknown) => {
        await db.drop();
        throw e;
      });
      const fresh = keepBalancesFresh(db.url);
      try {
        const sql = postgres(db.url, { max: 1, onnotice: () => {} });
        await sql`update balances set balance = 100000000, synced_at = now() where asset_id = ${USDT}`;
        await sql`update assets set max_usdt = 1000000`;
        await sql.end();
        await load({ label: "warm", url, method: "POST", body, connections: 8, durationS: 3 });
        const loadAvg = loadAverage();
        const before = cpuTicks(child.pid!);
        const r = await load({ label: b.name, url, method: "POST", body, connections: 32, durationS });
        const cpuMsPerRequest = Number((((cpuTicks(child.pid!) - before) * 10) / r.requests).toFixed(2));
        if (round >= 0)
          runs.push({
            build: b.name,
            round,
            rps: r.rps,
            p50: r.p50,
            p99: r.p99,
            errors: r.errors,
            cpuMsPerRequest,
            loadAvg,
          });
        console.log(
          `round ${round < 0 ? "warm-up" : round} ${b.name} (${b.commit}): ${r.rps} rps, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}, ${cpuMsPerRequest} ms CPU per request`,
        );
      } finally {
        await fresh.stop();
        if (child.exitCode === null) {
          const exited = new Promise((x) => child.once("exit", x));
          child.kill("SIGTERM");
          await exited;
        }
        await db.drop();
      }
    }
} finally {
  await closeMixin();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const summary = builds.map((b) => {
  const mine = runs.filter((r) => r.build === b.name);
  return { ...b, medianRps: median(mine.map((r) => r.rps)), medianCpuMs: median(mine.map((r) => r.cpuMsPerRequest)) };
});
const pairRatios = Array.from({ length: rounds }, (_, round) => {
  const [a, z] = builds.map((b) => runs.find((r) => r.build === b.name && r.round === round)!.rps);
  return Number((z! / a!).toFixed(2));
});
const out: CompareBuildsResult = {
  when: new Date().toISOString(),
  durationS,
  builds: summary.map(({ name, commit, medianRps, medianCpuMs }) => ({ name, commit, medianRps, medianCpuMs })),
  runs,
  pairRatios,
  medianRatio: Number((summary[1]!.medianRps / summary[0]!.medianRps).toFixed(2)),
};
save("compare-builds", out);
console.log(
  `median ${summary[0]!.medianRps} → ${summary[1]!.medianRps} rps (${out.medianRatio}×); per round ${pairRatios.join(", ")}`,
);
