import type { ChildProcess } from "node:child_process";
import http from "node:http";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { startMixinEmulator, type MixinEmulator } from "../../test/doubles/mixin/emulator";
import { startLocalInngest, type LocalInngest } from "../../tools/inngest-local/runner";
import { startBrokerProcess } from "../../test/support/broker-process";
import { createFreshDatabase, type FreshDatabase } from "../../test/support/fresh-database";

/**
 * Three broker processes (the production build) on one fresh PostgreSQL database behind a
 * round-robin balancer, with one Inngest (the local runner, calling the app through the
 * balancer) and one Mixin emulator. What must hold: create_order idempotency across processes,
 * exact reservations, sessions valid on any instance, and the relay/cron work done once.
 */
const E2E = Number(process.env.E2E_PORT ?? 3100);
const PORTS = [E2E + 310, E2E + 330, E2E + 350];
const LB_PORT = E2E + 370;
const INNGEST_SPY_PORT = E2E + 390;
const lb = `http://127.0.0.1:${LB_PORT}`;
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const ETH = "43d61dcd-e413-450d-80b8-101d5e903357";
const METRICS_TOKEN = "three-instances-metrics-token";
const quiet = { info() {}, warn() {}, error() {} };

let emu: MixinEmulator;
let runner: LocalInngest;
let db: FreshDatabase;
let dbUrl: string;
const apps: ChildProcess[] = [];
let balancer: http.Server;
let spy: http.Server;
/** Every event id POSTed to Inngest by any instance, with how often. */
const sentEventIds = new Map<string, number>();

test.describe.configure({ mode: "serial" });

/** A plain round-robin HTTP proxy: request n goes to instance n mod 3. */
function roundRobin(port: number, targets: number[]): Promise<http.Server> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const target = targets[n++ % targets.length]!;
    const up = http.request(
      { host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((r) => server.listen(port, "127.0.0.1", () => r(server)));
}

/** In front of the Inngest runner: counts the event ids each POST /e/<key> carries, then forwards. */
function inngestSpy(port: number, target: string): Promise<http.Server> {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && /^\/e\//.test(req.url ?? "")) {
        try {
          const parsed = JSON.parse(body.toString()) as { id?: string } | { id?: string }[];
          for (const e of Array.isArray(parsed) ? parsed : [parsed])
            if (e.id) sentEventIds.set(e.id, (sentEventIds.get(e.id) ?? 0) + 1);
        } catch {
          // not JSON: forwarded as is
        }
      }
      const up = http.request(
        {
          host: t.hostname,
          port: t.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, "content-length": String(body.length) },
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  return new Promise((r) => server.listen(port, "127.0.0.1", () => r(server)));
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  emu = await startMixinEmulator({ balances: { [USDT]: "50" } });
  runner = await startLocalInngest({
    port: 0,
    appUrl: `${lb}/api/inngest`,
    autoCron: false,
    resyncIntervalMs: 0,
    logger: quiet,
    backoff: (n) => Math.min(1000 * 2 ** (n - 1), 10_000),
  });
  spy = await inngestSpy(INNGEST_SPY_PORT, runner.url);
  balancer = await roundRobin(LB_PORT, PORTS);
  db = await createFreshDatabase({ prefix: "e2e_three" });
  dbUrl = db.url;
  // All three start together: the migrations run once (advisory lock), the demo seed is idempotent.
  const env = {
    DATABASE_URL: dbUrl,
    SEED_DEMO_DATA: "true",
    PUBLIC_BASE_URL: lb,
    INNGEST_BASE_URL: `http://127.0.0.1:${INNGEST_SPY_PORT}`,
    METRICS_TOKEN,
    DATABASE_POOL_SIZE: "5",
  };
  const started = await Promise.allSettled(
    PORTS.map((port) => startBrokerProcess({ port, emu, inngestUrl: `http://127.0.0.1:${INNGEST_SPY_PORT}`, env })),
  );
  for (const s of started) if (s.status === "fulfilled") apps.push(s.value);
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  // Every instance has opened the store (and migrated) before the tests begin.
  await Promise.all(
    PORTS.map((p) =>
      expect
        .poll(async () => (await fetch(`http://127.0.0.1:${p}/api/ready`)).status, { timeout: 60_000 })
        .toBeGreaterThan(0),
    ),
  );
  await runner.sync();
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  // The store's USDT balance as the emulator has it (a sync would write the same).
  await sql`update balances set balance = '50', synced_at = now() where asset_id = ${USDT}`;
  await sql.end();
});

test.afterAll(async () => {
  for (const a of apps) a.kill("SIGKILL");
  await runner?.close();
  await new Promise((r) => spy?.close(r));
  await new Promise((r) => balancer?.close(r));
  await emu?.close();
  await db?.drop();
});

function orderBody(o: { traceId: string; assetId: string; amount: string }) {
  return JSON.stringify({
    payee_id: "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11",
    wallet: "demo",
    asset_id: o.assetId,
    amount: o.amount,
    trace_id: o.traceId,
    memo: `memo-${o.traceId.slice(0, 8)}`,
    expired_at: String(Math.floor(Date.now() / 1000) + 900),
    return_url: "https://mixpay.me/return",
    opponent_id: emu.mixpayBotId,
  });
}

async function createOrder(port: number, body: string): Promise<{ code: number; data: { checkout_url?: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/mixpay/create_order`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return (await res.json()) as { code: number; data: { checkout_url?: string } };
}

async function query<T extends object>(fn: (sql: postgres.Sql) => Promise<T[]>): Promise<T[]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

test("concurrent orders of one asset on three instances never over-reserve", async () => {
  // 50 USDT; fifteen orders of 7 at once, five per instance: exactly seven fit.
  const results = await Promise.all(
    Array.from({ length: 15 }, (_, i) =>
      createOrder(PORTS[i % 3]!, orderBody({ traceId: crypto.randomUUID(), assetId: USDT, amount: "7" })),
    ),
  );
  const ok = results.filter((r) => r.code === 0).length;
  expect(results.every((r) => r.code === 0 || r.code === 11002)).toBe(true);
  expect(ok).toBe(7);
  const [row] = await query(
    (sql) =>
      sql<
        { reserved: string }[]
      >`select coalesce(sum(amount), 0)::text as reserved from orders where asset_id = ${USDT} and status = 'created'`,
  );
  expect(Number(row!.reserved)).toBe(49);
});

test("the same trace_id sent to all three instances at once makes one order, with the same links everywhere", async () => {
  const traceId = crypto.randomUUID();
  const body = orderBody({ traceId, assetId: ETH, amount: "0.01" });
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => createOrder(PORTS[i % 3]!, body)));
  expect(results.map((r) => r.code)).toEqual(Array(12).fill(0));
  expect(new Set(results.map((r) => r.data.checkout_url)).size).toBe(1);
  const rows = await query(
    (sql) => sql<{ n: number }[]>`select count(*)::int as n from orders where trace_id = ${traceId}`,
  );
  expect(rows[0]!.n).toBe(1);
});

test("a session cookie from instance 1 works on instances 2 and 3", async () => {
  const i1 = `http://127.0.0.1:${PORTS[0]}`;
  const csrfRes = await fetch(`${i1}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = csrfRes.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const signIn = await fetch(`${i1}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({
      csrfToken,
      email: "operator@demo.local",
      password: "operator-demo-password",
      callbackUrl: "/console",
    }),
  });
  expect(signIn.status).toBe(302);
  const session = signIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c!.startsWith("authjs.session-token="));
  expect(session).toBeTruthy();
  for (const port of PORTS.slice(1)) {
    const me = await fetch(`http://127.0.0.1:${port}/api/auth/session`, { headers: { cookie: session! } });
    expect(((await me.json()) as { user?: { email?: string } }).user?.email).toBe("operator@demo.local");
    const page = await fetch(`http://127.0.0.1:${port}/console`, { headers: { cookie: session! }, redirect: "manual" });
    expect(page.status).toBe(200);
  }
});

test("paid orders settle once each and every outbox event reaches Inngest once, whichever instance relays", async () => {
  test.setTimeout(240_000);
  const traces: { traceId: string; orderId: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const traceId = crypto.randomUUID();
    const r = await createOrder(PORTS[i % 3]!, orderBody({ traceId, assetId: ETH, amount: "0.002" }));
    expect(r.code).toBe(0);
    traces.push({ traceId, orderId: r.data.checkout_url!.split("/").pop()! });
  }
  // Pay all six at once, each on another instance than the one that took the order.
  const paid = await Promise.all(
    traces.map((t, i) =>
      fetch(`http://127.0.0.1:${PORTS[(i + 1) % 3]}/checkout/${t.orderId}/pay`, { method: "POST", redirect: "manual" }),
    ),
  );
  expect(paid.map((r) => r.status)).toEqual(Array(6).fill(302));
  // The cron relay (through the balancer, on whichever instance) runs while the instances dispatch too.
  await runner.tick();
  await runner.tick();
  await expect
    .poll(
      async () =>
        (
          await query(
            (sql) =>
              sql<
                { n: number }[]
              >`select count(*)::int as n from orders where trace_id in ${sql(traces.map((t) => t.traceId))} and status = 'settled'`,
          )
        )[0]!.n,
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe(6);
  for (const t of traces) expect(emu.settlements().filter((s) => s.traceId === t.traceId)).toHaveLength(1);
  // Events written by the functions themselves (e.g. alerts) go out with the next cron relay.
  await expect
    .poll(
      async () => {
        await runner.tick();
        return (
          await query((sql) => sql<{ n: number }[]>`select count(*)::int as n from outbox where sent_at is null`)
        )[0]!.n;
      },
      { timeout: 60_000, intervals: [2000] },
    )
    .toBe(0);
  const outboxIds = await query((sql) => sql<{ id: string }[]>`select id from outbox`);
  expect(outboxIds.length).toBeGreaterThan(6);
  for (const row of outboxIds) expect(sentEventIds.get(row.id), row.id).toBe(1);
});

test("metrics need the bearer token and count the MixPay calls of each instance", async () => {
  const url = `http://127.0.0.1:${PORTS[0]}/api/metrics`;
  expect((await fetch(url)).status).toBe(401);
  expect((await fetch(url, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status).toBe(401);
  const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(/mixpay_requests_total\{route="create_order",code="0",status="200"\} \d+/);
  expect(text).toMatch(/broker_orders\{status="settled"\} [1-9]\d*/);
  expect(text).toMatch(/broker_asset_amount\{asset="4d8c508b-91c5-375b-92b0-ee702ed2dac5",kind="reserved"\} 49/);
});
