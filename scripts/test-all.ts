/**
 * `npm test`: every test of the project, in order —
 *   1. the vitest suite on embedded PGlite,
 *   2. the same suite on the PostgreSQL server (a fresh database per run; TEST_PG_ADMIN_URL),
 *   3. the Playwright end-to-end tests in Chromium.
 * It runs all three even when one fails, prints one closing line with the totals, and exits
 * non-zero if anything failed or no test ran. SKIP_PG=1 / SKIP_E2E=1 skip a stage (not in CI).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";

interface StageResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
}

const outDir = path.join(process.cwd(), "test-results", "summary");
mkdirSync(outDir, { recursive: true });
const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...extraEnv } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

async function vitestStage(name: string, wrapper: string[]): Promise<StageResult> {
  const file = path.join(outDir, `${name}.json`);
  const args = ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`];
  const code = wrapper.length
    ? await run(wrapper[0]!, [...wrapper.slice(1), bin("vitest"), ...args])
    : await run(bin("vitest"), args);
  if (!existsSync(file)) return { name, passed: 0, failed: 0, skipped: 0, exitCode: code || 1 };
  const r = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  return {
    name,
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
    exitCode: code,
  };
}

interface PwStats {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}

async function playwrightStage(): Promise<StageResult | undefined> {
  const hasSpecs =
    existsSync("e2e") && readdirSync("e2e", { recursive: true }).some((f) => String(f).endsWith(".spec.ts"));
  if (!hasSpecs) return undefined;
  const file = path.join(outDir, "e2e.json");
  const code = await run(bin("playwright"), ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
  if (!existsSync(file)) return { name: "e2e", passed: 0, failed: 0, skipped: 0, exitCode: code || 1 };
  const r = JSON.parse(readFileSync(file, "utf8")) as PwStats;
  return {
    name: "e2e",
    passed: r.stats.expected + r.stats.flaky,
    failed: r.stats.unexpected,
    skipped: r.stats.skipped,
    exitCode: code,
  };
}

async function main(): Promise<number> {
  const results: StageResult[] = [];
  results.push(await vitestStage("vitest-pglite", []));
  if (process.env.SKIP_PG !== "1")
    results.push(await vitestStage("vitest-postgres", [bin("tsx"), "scripts/with-pg-test-db.ts"]));
  if (process.env.SKIP_E2E !== "1") {
    const e2e = await playwrightStage();
    if (e2e) results.push(e2e);
  }
  console.log("\n=== test summary ===");
  for (const r of results)
    console.log(
      `${r.name.padEnd(16)} passed ${r.passed}  failed ${r.failed}  skipped ${r.skipped}  exit ${r.exitCode}`,
    );
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const skipped = results.reduce((a, r) => a + r.skipped, 0);
  const bad = results.some((r) => r.exitCode !== 0) || failed > 0 || passed === 0;
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  return bad ? 1 : 0;
}

main().then((c) => process.exit(c));
