/**
 * The adversarial property test of the money paths, run long: `npm run bench:property`
 * (PROPERTY_RUNS, default 300; PROPERTY_SEED, default the date; PROPERTY_MAX_ACTIONS, default 40).
 * CI runs the same property with a fixed seed and 40 runs (test/property/money-paths.property.test.ts).
 */
import { spawnSync } from "node:child_process";

const env = {
  ...process.env,
  PROPERTY_RUNS: process.env.PROPERTY_RUNS ?? "300",
  PROPERTY_SEED: process.env.PROPERTY_SEED ?? new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  PROPERTY_MAX_ACTIONS: process.env.PROPERTY_MAX_ACTIONS ?? "40",
};
console.log(
  `property: ${env.PROPERTY_RUNS} runs of up to ${env.PROPERTY_MAX_ACTIONS} actions, seed ${env.PROPERTY_SEED}`,
);
const r = spawnSync("npx", ["vitest", "run", "test/property"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
