import type { ChildProcess } from "node:child_process";
import { expect, test } from "@playwright/test";
import { startMixinEmulator, type MixinEmulator } from "../test/doubles/mixin/emulator";
import { startBinancePayDouble, type BinancePayDouble } from "../test/doubles/binance/double";
import { startLocalInngest, type LocalInngest } from "../tools/inngest-local/runner";
import { spawnBrokerServer, startBrokerProcess } from "../test/support/broker-process";

/**
 * The compiled server `npm start` runs (dist/serve.mjs) as a service: SIGTERM while MixPay's
 * create_order waits on a slow wallet lets that call finish and then exits 0; a start whose
 * instrumentation fails (no keystore) exits 1 with the reason instead of answering 500 forever.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100) + 380;
const base = `http://127.0.0.1:${PORT}`;
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const DEMO_PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";
const quiet = { info() {}, warn() {}, error() {} };

let emu: MixinEmulator;
let runner: LocalInngest;
let binance: BinancePayDouble;
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
  });
  binance = await startBinancePayDouble();
});

test.afterAll(async () => {
  app?.kill("SIGKILL");
  await runner?.close();
  await emu?.close();
  await binance?.close();
});

test("SIGTERM lets a create_order waiting 3 s on Binance Pay finish, then the server exits 0", async () => {
  test.setTimeout(180_000);
  app = await startBrokerProcess({
    port: PORT,
    emu,
    inngestUrl: runner.url,
    env: {
      PGLITE_DATA_DIR: "memory://",
      BINANCE_PAY_API_KEY: binance.apiKey,
      BINANCE_PAY_SECRET: binance.secret,
      BINANCE_PAY_BASE_URL: binance.url,
      SHUTDOWN_GRACE_MS: "20000",
    },
  });
  const exited = new Promise<number | null>((resolve) => app!.on("exit", (code) => resolve(code)));
  binance.setFault({ mode: "timeout", path: "/binancepay/openapi/v3/order", count: 1, delayMs: 3_000 });
  const started = Date.now();
  const inFlight = fetch(`${base}/mixpay/create_order`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      payee_id: DEMO_PAYEE,
      wallet: "binance",
      asset_id: USDT,
      amount: "2.5",
      trace_id: crypto.randomUUID(),
      memo: "drain",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: "https://mixpay.me/return",
      opponent_id: emu.mixpayBotId,
    }),
  });
  await new Promise((r) => setTimeout(r, 1_000));
  app.kill("SIGTERM");
  const res = await inFlight;
  const body = (await res.json()) as { code: number; data: { deep_link: string } };
  expect(res.status).toBe(200);
  expect(body.code).toBe(0);
  expect(body.data.deep_link).toMatch(/^bnc:\/\//);
  expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  expect(await exited).toBe(0);
  // …and nothing listens any more.
  await expect(fetch(`${base}/api/health`)).rejects.toThrow();
  app = undefined;
});

test("a production start whose instrumentation fails exits 1 with the reason (the old server answered 500 forever)", async () => {
  test.setTimeout(180_000);
  const child = spawnBrokerServer({
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      BROKER_UNSAFE_TEST_MODE: "true",
      HOST: "127.0.0.1",
      PORT: String(PORT + 1),
      PUBLIC_BASE_URL: `http://127.0.0.1:${PORT + 1}`,
      MIXIN_API_BASE_URL: emu.url,
      PGLITE_DATA_DIR: "memory://",
      AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789",
      INNGEST_DEV: "1",
      INNGEST_BASE_URL: runner.url,
      NEXT_TELEMETRY_DISABLED: "1",
      // No MIXIN_KEYSTORE: instrumentation.ts refuses to run without the bot.
    },
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const kill = setTimeout(() => child.kill("SIGKILL"), 150_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(kill);
  expect(code).toBe(1);
  expect(out).toMatch(/mixpay-broker cannot start:\n.*MIXIN_KEYSTORE or MIXIN_KEYSTORE_FILE is required in production/);
  expect(out).not.toMatch(/listening on/);
});
