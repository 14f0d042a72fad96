/**
 * `npm run bench`: build, then every benchmark in turn, then BENCHMARKS.md. Each script stops by
 * itself within a few minutes. `--quick` shortens every step (for trying the scripts out).
 */
import { spawnSync } from "node:child_process";

const quick = process.argv.includes("--quick") ? ["--quick"] : [];
const run = (cmd: string, args: string[]) => {
  console.log(`\n$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status})`);
};
if (!process.argv.includes("--no-build")) run("npx", ["next", "build"]);
for (const script of [
  "mixpay-load",
  "reservation-contention",
  "open-orders",
  "store-scale",
  "background",
  "settlement-latency",
])
  run(process.execPath, ["--import", "tsx", `bench/${script}.ts`, ...quick]);
run(process.execPath, ["--import", "tsx", "bench/report.ts"]);
