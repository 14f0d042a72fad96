/**
 * Shared pieces of the benchmarks: a fresh PostgreSQL database and the broker's production server
 * as a child process (both through the helpers the Playwright specs use), and an autocannon
 * wrapper. Load goes to 127.0.0.1 only.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import postgres from "postgres";
import { startMixinEmulator, type MixinEmulator } from "../test/doubles/mixin/emulator";
import { loopbackBrokerEnv, startBrokerServer, waitForOk } from "../test/support/broker-process";
import { createFreshDatabase, type FreshDatabase } from "../test/support/fresh-database";

export const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const RESULTS = path.join(process.cwd(), "bench", "results");
export const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
export const PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";

export function freshDatabase(prefix: string): Promise<FreshDatabase> {
  return createFreshDatabase({ prefix, adminUrl: ADMIN_URL });
}

export { waitForOk as waitFor };

/**
 * Production refuses to start unless Mixin accepts the bot's keystore (instrumentation.ts), so the
 * benchmarks run one Mixin emulator for their brokers (the hot paths never call it). Close it at
 * the end of a script (closeMixin), or the process would not exit.
 */
let mixin: Promise<MixinEmulator> | undefined;
export function mixinDouble(): Promise<MixinEmulator> {
  mixin ??= startMixinEmulator();
  return mixin;
}
export async function closeMixin(): Promise<void> {
  const m = mixin;
  mixin = undefined;
  if (m) await (await m).close();
}

/** The production settings every benchmark server runs with (the broker and the floor alike). */
export function brokerEnv(dbUrl: string, port: number, emu: MixinEmulator | null): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // The emulator's bot: the start-up check passes; the hot paths never call Mixin. No Inngest listens on port 9.
    ...loopbackBrokerEnv({ port, emu, inngestUrl: "http://127.0.0.1:9" }),
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: "20",
    SEED_DEMO_DATA: "true",
    // The load comes from one source for one payee: keep the limiter (its statement is measured) but out of the way.
    MIXPAY_RATE_LIMIT_PER_SOURCE: "100000000",
    MIXPAY_RATE_LIMIT_PER_PAYEE: "100000000",
    LOG_LEVEL: "error",
  };
}

/**
 * The broker's production server on PostgreSQL, as `npm start` runs it: `node dist/serve.mjs`
 * (`npm run build` must have run; it compiles both Next and that listener). BENCH_CPU_PROF=<dir>
 * writes a CPU profile of each broker there when it stops.
 */
export async function startBroker(
  dbUrl: string,
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<ChildProcess> {
  return startBrokerServer({
    port,
    nodeArgs: process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [],
    stdio: ["ignore", "ignore", "inherit"],
    // A benchmark with its own Mixin emulator (settlement latency) passes its keystore in extraEnv.
    env: {
      ...(extraEnv.MIXIN_KEYSTORE ? brokerEnv(dbUrl, port, null) : brokerEnv(dbUrl, port, await mixinDouble())),
      ...extraEnv,
    },
  });
}

/** What the machine was doing: the 1-minute load average (2 cores) at a step's start, for BENCHMARKS.md's conditions. */
/** A create_order body as MixPay sends it, for the demo payee and wallet in USDT; a new trace_id unless given. */
export function createOrderBody(o: { amount: string; memo: string; opponentId: string; traceId?: string }): string {
  return JSON.stringify({
    payee_id: PAYEE,
    wallet: "demo",
    asset_id: USDT,
    amount: o.amount,
    trace_id: o.traceId ?? crypto.randomUUID(),
    memo: o.memo,
    expired_at: String(Math.floor(Date.now() / 1000) + 900),
    return_url: "https://mixpay.me/r",
    opponent_id: o.opponentId,
  });
}

export function loadAverage(): number {
  return Number(os.loadavg()[0]!.toFixed(2));
}

/** One row of open-orders' one-process vs two-processes comparison (written by it, read by report.ts). */
export interface InstancesRow {
  processes: number;
  rps: number;
  created: number;
  unavailable: number;
  other: number;
  balance: number;
  reservedCounter: string;
  openSum: string;
  exact: boolean;
}

/** One build's saturated round in bench/compare-builds.ts, and what it writes (read by report.ts). */
export interface CompareRun {
  build: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerRequest: number;
  loadAvg: number;
}
export interface CompareBuildsResult {
  when: string;
  durationS: number;
  builds: { name: string; commit: string; medianRps: number; medianCpuMs: number }[];
  runs: CompareRun[];
  pairRatios: number[];
  medianRatio: number;
}

export interface LoadResult {
  label: string;
  targetRps: number | "max";
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  codes: Record<string, number>;
}

export async function load(opts: {
  label: string;
  url: string;
  method?: "GET" | "POST";
  body?: () => string;
  rate?: number;
  connections?: number;
  durationS?: number;
  expectCode?: number;
}): Promise<LoadResult> {
  const codes: Record<string, number> = {};
  const instance = autocannon({
    url: opts.url,
    method: opts.method ?? "GET",
    // autocannon paces a fixed rate per connection in per-second bursts: few connections keep
    // the offered load smooth (more connections measure the burst, not the server).
    connections: opts.connections ?? (opts.rate ? Math.max(4, Math.ceil(opts.rate / 50)) : 32),
    duration: opts.durationS ?? 10,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (req: autocannon.Request) => (opts.body ? { ...req, body: opts.body() } : req),
        onResponse: (_status: number, body: string) => {
          try {
            const code = String((JSON.parse(body) as { code?: number }).code);
            codes[code] = (codes[code] ?? 0) + 1;
          } catch {
            codes["not-json"] = (codes["not-json"] ?? 0) + 1;
          }
        },
      },
    ],
  });
  const r = await instance;
  const envelopeErrors = Object.entries(codes)
    .filter(([c]) => c !== String(opts.expectCode ?? 0))
    .reduce((n, [, v]) => n + v, 0);
  return {
    label: opts.label,
    targetRps: opts.rate ?? "max",
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + envelopeErrors,
    non2xx: r.non2xx,
    codes,
  };
}

export function save(name: string, data: unknown): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify(data, null, 2));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The benchmarks run the broker without Inngest, so no balance sync runs; create_order refuses
 * once the stored sync is older than BALANCE_SYNC_MAX_AGE_SECONDS. This stands in for the sync
 * loop: it marks the balances (set by hand by each benchmark) as freshly synced every 5 s.
 */
export function keepBalancesFresh(dbUrl: string): { stop(): Promise<void> } {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const touch = () => sql`update balances set synced_at = now()`.catch(() => undefined);
  void touch();
  const timer = setInterval(() => void touch(), 5000);
  return {
    async stop() {
      clearInterval(timer);
      await sql.end({ timeout: 2 });
    },
  };
}
