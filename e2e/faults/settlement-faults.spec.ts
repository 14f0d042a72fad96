import type { ChildProcess } from "node:child_process";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { startMixinEmulator, type MixinEmulator } from "../../test/doubles/mixin/emulator";
import { startLocalInngest, type LocalInngest } from "../../tools/inngest-local/runner";
import { startBrokerProcess } from "../../test/support/broker-process";
import { createFreshDatabase, type FreshDatabase } from "../../test/support/fresh-database";

/**
 * Fault tests of settlement, with each process on its own: the Mixin emulator and the local
 * Inngest runner live in this test process; the broker (production build) runs as a child on
 * PostgreSQL, so it can be SIGKILLed and restarted without losing the store.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100) + 300;
const base = `http://127.0.0.1:${PORT}`;
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const quiet = { info() {}, warn() {}, error() {} };

let emu: MixinEmulator;
let runner: LocalInngest;
let db: FreshDatabase;
let dbUrl: string;
let app: ChildProcess | undefined;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  emu = await startMixinEmulator();
  runner = await startLocalInngest({
    port: 0,
    appUrl: `${base}/api/inngest`,
    autoCron: false,
    resyncIntervalMs: 0,
    logger: quiet,
    backoff: (n) => Math.min(1000 * 2 ** (n - 1), 15_000),
  });
  db = await createFreshDatabase({ prefix: "e2e_faults" });
  dbUrl = db.url;
});

test.afterAll(async () => {
  app?.kill("SIGKILL");
  await runner?.close();
  await emu?.close();
  await db?.drop();
});

async function startApp(): Promise<void> {
  app = await startBrokerProcess({
    port: PORT,
    emu,
    inngestUrl: runner.url,
    env: { DATABASE_URL: dbUrl, SEED_DEMO_DATA: "true" },
  });
}

async function createAndPay(amount: string): Promise<{ traceId: string; orderId: string }> {
  const traceId = crypto.randomUUID();
  const res = await fetch(`${base}/mixpay/create_order`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      payee_id: crypto.randomUUID(),
      wallet: "demo",
      asset_id: USDT,
      amount,
      trace_id: traceId,
      memo: `memo-${traceId.slice(0, 8)}`,
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: "https://mixpay.me/return",
      opponent_id: emu.mixpayBotId,
    }),
  });
  const body = (await res.json()) as { code: number; data: { checkout_url: string } };
  expect(body.code).toBe(0);
  const orderId = body.data.checkout_url.split("/").pop()!;
  const paid = await fetch(`${base}/checkout/${orderId}/pay`, { method: "POST", redirect: "manual" });
  expect(paid.status).toBe(302);
  return { traceId, orderId };
}

async function orderStatus(orderId: string): Promise<string> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ status: string }[]>`select status from orders where id = ${orderId}`;
    return row?.status ?? "missing";
  } finally {
    await sql.end();
  }
}

test("the broker SIGKILLed between the transfer and its confirmation settles once after restart", async () => {
  test.setTimeout(240_000);
  await startApp();
  // The first lookup (before sending) passes; the confirmation's lookup stalls, so the process
  // dies after Mixin committed the transfer and before the broker recorded it as settled.
  emu.setFault({ pattern: `^GET /safe/transactions/`, mode: "timeout", delayMs: 60_000, after: 1 });
  const { traceId: trace, orderId } = await createAndPay("3.3");
  await expect
    .poll(() => emu.requests().filter((r) => r === `GET /safe/transactions/${trace}`).length, { timeout: 60_000 })
    .toBe(2);
  expect(emu.settlements().filter((s) => s.traceId === trace)).toHaveLength(1);
  expect(await orderStatus(orderId)).toBe("settling");

  app!.kill("SIGKILL");
  await new Promise((r) => app!.once("exit", r));
  emu.clearFaults();
  await startApp();

  await expect.poll(() => orderStatus(orderId), { timeout: 120_000, intervals: [1000] }).toBe("settled");
  expect(emu.settlements().filter((s) => s.traceId === trace)).toEqual([
    expect.objectContaining({ amount: "3.3", memo: `memo-${trace.slice(0, 8)}` }),
  ]);
});

test("Mixin answering 500 for a minute: the settlement completes after it recovers, once", async () => {
  test.setTimeout(240_000);
  if (!app || app.exitCode !== null) await startApp();
  emu.setFault({ pattern: "^(GET|POST) /safe/", mode: "500" });
  const { traceId, orderId } = await createAndPay("1.25");
  await new Promise((r) => setTimeout(r, 60_000));
  expect(await orderStatus(orderId)).toBe("settling");
  expect(emu.settlements().filter((s) => s.traceId === traceId)).toHaveLength(0);
  emu.clearFaults();
  await expect.poll(() => orderStatus(orderId), { timeout: 120_000, intervals: [1000] }).toBe("settled");
  expect(emu.settlements().filter((s) => s.traceId === traceId)).toHaveLength(1);
});
