/**
 * How long the shopper waits (issue 14): from the demo wallet's payment notice (POST
 * /checkout/<order>/pay) to the Mixin transaction request (the emulator stamps when POST
 * /safe/transaction/requests arrives) and to `settled` (orders.settled_at), p50/p99 over 200
 * orders paid at a steady rate, with Mixin spending a transaction at once (the emulator's default,
 * as `npm run dev`) and after BENCH_SPEND_DELAY_MS (2 s: Mixin keeps a sent transaction `signed`
 * for a few seconds), then a few other rates for the latency-vs-rate plot. Production build on
 * PostgreSQL, the local Inngest runner (tools/inngest-local, in this process, crons on) and the
 * Mixin emulator (in this process; the bot's USDT in 100 outputs, as a bot that received payments).
 *   npm run build && tsx bench/settlement-latency.ts [--quick]
 */
import { execSync } from "node:child_process";
import postgres from "postgres";
import { EMULATED_MIXPAY_BOT, startMixinEmulator } from "../test/doubles/mixin/emulator";
import { startLocalInngest, type RunnerLogger } from "../tools/inngest-local/runner";
import { createOrderBody, freshDatabase, percentile, save, startBroker } from "./lib";

const quick = process.argv.includes("--quick");
const spendDelay = Number(process.env.BENCH_SPEND_DELAY_MS ?? 2000);
/** The two headline runs first (orders, orders per second, Mixin's spend delay), then the other rates of the plot. */
const steps = quick
  ? [
      { orders: 40, rate: 5, spendDelayMs: 0 },
      { orders: 40, rate: 5, spendDelayMs: spendDelay },
      { orders: 40, rate: 20, spendDelayMs: 0 },
    ]
  : [
      { orders: 200, rate: 5, spendDelayMs: 0 },
      { orders: 200, rate: 5, spendDelayMs: spendDelay },
      { orders: 50, rate: 1, spendDelayMs: 0 },
      { orders: 200, rate: 10, spendDelayMs: 0 },
      { orders: 200, rate: 20, spendDelayMs: 0 },
    ];
const PORT = Number(process.env.BENCH_PORT_BASE ?? 4080) + 10;
const base = `http://127.0.0.1:${PORT}`;
/** Give up on orders not settled this long after the last payment of a step. */
const DRAIN_MS = 60_000;

const loadAverage = () =>
  execSync("uptime")
    .toString()
    .trim()
    .replace(/^.*load average: /, "");
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: Math.round(percentile(s, 50)),
    p90: Math.round(percentile(s, 90)),
    p99: Math.round(percentile(s, 99)),
    max: Math.round(s[s.length - 1] ?? 0),
  };
};

/** The runner logs every step; keep only what says something went wrong, and count retries. */
let retries = 0;
const runnerLog: RunnerLogger = {
  info: () => {},
  warn: (o, m) => {
    if (m === "retry scheduled") retries++;
    else if (m !== "step errored" && m !== "function errored") console.warn(`[runner] ${m} ${JSON.stringify(o)}`);
  },
  error: (o, m) => console.error(`[runner] ${m} ${JSON.stringify(o)}`),
};

async function createOrder(): Promise<{ orderId: string; traceId: string }> {
  const traceId = crypto.randomUUID();
  const res = await fetch(`${base}/mixpay/create_order`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: createOrderBody({ amount: "1", memo: "YmVuY2g", traceId, opponentId: EMULATED_MIXPAY_BOT }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { code: number; data?: { checkout_url?: string } };
  const orderId = body.data?.checkout_url?.split("/checkout/")[1];
  if (body.code !== 0 || !orderId) throw new Error(`create_order answered ${JSON.stringify(body)}`);
  return { orderId, traceId };
}

const emu = await startMixinEmulator({ outputsPerAsset: 100 });
const runner = await startLocalInngest({
  port: 0,
  appUrl: `${base}/api/inngest`,
  logger: runnerLog,
  keepRuns: 100_000,
});
const db = await freshDatabase("bench_settle");
const sql = postgres(db.url, { max: 2, onnotice: () => {} });
const app = await startBroker(db.url, PORT, {
  MIXIN_KEYSTORE: JSON.stringify(emu.keystore),
  MIXIN_API_BASE_URL: emu.url,
  MIXPAY_API_BASE_URL: emu.url,
  INNGEST_BASE_URL: runner.url,
  MIXPAY_RATE_LIMIT_PER_SOURCE: "100000000",
});
const rows: unknown[] = [];
try {
  await runner.sync();
  // Balances from the emulator through the real sync, as in `npm run dev`.
  await runner.send({ name: "balance/sync.requested", data: {} });
  await runner.idle();
  // Warm the routes (Next compiles nothing in production, but the first requests pay for module loads).
  for (let i = 0; i < 3; i++) {
    const o = await createOrder();
    await fetch(`${base}/checkout/${o.orderId}/pay`, { method: "POST", redirect: "manual" });
  }
  await new Promise((r) => setTimeout(r, 3000));

  for (const step of steps) {
    emu.setSpendDelay(step.spendDelayMs);
    const load = loadAverage();
    const created: { orderId: string; traceId: string }[] = [];
    for (let i = 0; i < step.orders; i++) created.push(await createOrder());
    const paidAt = new Map<string, number>();
    let payErrors = 0;
    const t0 = performance.now() + 200;
    const epoch0 = Date.now() + 200;
    await Promise.all(
      created.map(async (o, i) => {
        const wait = t0 + (i * 1000) / step.rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        paidAt.set(o.orderId, Date.now());
        const res = await fetch(`${base}/checkout/${o.orderId}/pay`, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(30_000),
        }).catch(() => undefined);
        if (res?.status !== 302) payErrors++;
      }),
    );
    const ids = created.map((o) => o.orderId);
    const deadline = Date.now() + DRAIN_MS;
    let settled: { id: string; settled_at: Date | null; status: string }[] = [];
    for (;;) {
      settled = await sql`select id, settled_at, status from orders where id in ${sql(ids)}`;
      if (settled.every((r) => r.status === "settled") || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const times = new Map(emu.transactionTimes().map((t) => [t.requestId, t]));
    const toRequest: number[] = [];
    const toSent: number[] = [];
    const toSettled: number[] = [];
    const toRunStart: number[] = [];
    const runStart = new Map(
      runner
        .runs()
        .filter((r) => r.functionId.endsWith("settle-order"))
        .map((r) => [(r.event.data as { orderId: string }).orderId, Date.parse(r.startedAt)]),
    );
    for (const o of created) {
      const paid = paidAt.get(o.orderId)!;
      const t = times.get(o.traceId);
      if (t?.requestedAt) toRequest.push(t.requestedAt - paid);
      if (t?.sentAt) toSent.push(t.sentAt - paid);
      const s = settled.find((r) => r.id === o.orderId)?.settled_at;
      if (s) toSettled.push(s.getTime() - paid);
      const started = runStart.get(o.orderId);
      if (started) toRunStart.push(started - paid);
    }
    const row = {
      orders: step.orders,
      rate: step.rate,
      spendDelayMs: step.spendDelayMs,
      loadAverage: load,
      payingMs: Date.now() - epoch0,
      payErrors,
      settled: settled.filter((r) => r.status === "settled").length,
      settlements: emu.settlements().filter((s) => created.some((o) => o.traceId === s.traceId)).length,
      stepRetries: retries,
      toRunStart: stats(toRunStart),
      toRequest: stats(toRequest),
      toSent: stats(toSent),
      toSettled: stats(toSettled),
      samples: { toRequest, toSettled },
    };
    retries = 0;
    console.log(JSON.stringify({ ...row, samples: undefined }));
    rows.push(row);
  }
} finally {
  await runner.close(); // first, so no cron calls the stopping app
  app.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1500));
  await emu.close();
  await sql.end({ timeout: 2 });
  await db.drop();
}

save(process.env.BENCH_SETTLEMENT_RESULT ?? "settlement-latency", {
  when: new Date().toISOString(),
  quick,
  conditions: process.env.BENCH_CONDITIONS ?? "",
  steps: rows,
});
