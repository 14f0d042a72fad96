/**
 * create_order against a growing number of open orders of the same asset (issue 14): p50/p99 of
 * sequential requests and throughput at saturation, at 0 / 10,000 / 100,000 / 300,000 open
 * orders, seeded with SQL (not HTTP). Then the same load on one broker process and on two
 * processes sharing one PostgreSQL, with a balance that runs out mid-run: throughput, and
 * whether the reservations stayed exact.
 *   npm run build && tsx bench/open-orders.ts [--quick]
 */
import autocannon from "autocannon";
import postgres from "postgres";
import {
  createOrderBody,
  closeMixin,
  freshDatabase,
  keepBalancesFresh,
  load,
  loadAverage,
  PAYEE,
  percentile,
  save,
  startBroker,
  USDT,
  type LoadResult,
  type InstancesRow,
} from "./lib";

const quick = process.argv.includes("--quick");
const sizes = quick ? [0, 10_000] : [0, 10_000, 100_000, 300_000];
const durationS = quick ? 3 : 10;
const sequentialN = quick ? 50 : 200;
const BASE = Number(process.env.BENCH_PORT_BASE ?? 4080) + 2;

const body = (amount = "1.5") =>
  createOrderBody({ amount, memo: "bench", opponentId: "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37" });

async function sequential(port: number, n: number): Promise<{ p50: number; p99: number; errors: number }> {
  const t: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/mixpay/create_order`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(),
    });
    if (((await res.json()) as { code: number }).code !== 0) errors++;
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: Number(percentile(t, 50).toFixed(1)), p99: Number(percentile(t, 99).toFixed(1)), errors };
}

/** Bring the number of open (created) USDT orders to `n`, and the counter and balance with it. */
async function seedOpenOrders(sql: postgres.Sql, n: number): Promise<number> {
  const [row] = await sql<
    { open: number }[]
  >`select count(*)::int as open from orders where asset_id = ${USDT} and status = 'created'`;
  const open = row?.open ?? 0;
  const started = performance.now();
  for (let left = n - open; left > 0; left -= 50_000) {
    await sql`
      insert into orders (trace_id, payee_id, wallet, asset_id, amount, fee_rate, fee, pay_amount, memo, expired_at,
                          return_url, opponent_id, request_hash, wallet_provider, status)
      select gen_random_uuid(), ${PAYEE}::uuid, 'demo', ${USDT}::uuid, 1, 0.01, 0.01, 1.01, 'seed', now() + interval '1 day',
             'https://mixpay.me/r', gen_random_uuid(), repeat('0', 64), 'demo', 'created'
      from generate_series(1, ${Math.min(left, 50_000)})`;
  }
  await sql`update balances set balance = 100000000, reserved = (select coalesce(sum(amount), 0) from orders where asset_id = ${USDT} and status in ('created','paid','settling','settlement_failed')) where asset_id = ${USDT}`;
  await sql`analyze orders`;
  return Math.round(performance.now() - started);
}

const scale: {
  openOrders: number;
  loadAvg: number;
  seedMs: number;
  sequential: { p50: number; p99: number; errors: number };
  saturation: LoadResult;
}[] = [];
const db = await freshDatabase("bench_open");
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
// A broker that cannot start leaves no database behind.
const app = await startBroker(db.url, BASE).catch(async (e: unknown) => {
  await db.drop();
  await closeMixin();
  throw e;
});
const fresh = keepBalancesFresh(db.url);
try {
  await sql`update assets set max_usdt = 1000000`;
  await seedOpenOrders(sql, 0);
  // Warm up as long as one size's steps (JIT, pools, Next's route cache): a short warm-up left the
  // first size (0 open orders) measuring a cold process.
  await sequential(BASE, sequentialN);
  await load({
    label: "warm",
    url: `http://127.0.0.1:${BASE}/mixpay/create_order`,
    method: "POST",
    body,
    connections: 32,
    durationS,
  });
  for (const n of sizes) {
    // The load's own orders count as open orders too: reset to exactly n first.
    await sql`update orders set status = 'expired' where asset_id = ${USDT} and status = 'created' and memo = 'bench'`;
    const seedMs = await seedOpenOrders(sql, n);
    const loadAvg = loadAverage();
    const seq = await sequential(BASE, sequentialN);
    const sat = await load({
      label: `create-${n}`,
      url: `http://127.0.0.1:${BASE}/mixpay/create_order`,
      method: "POST",
      body,
      connections: 32,
      durationS,
    });
    console.log(
      `${String(n).padStart(7)} open orders: sequential p50 ${seq.p50} ms p99 ${seq.p99} ms; saturation ${sat.rps} rps p50 ${sat.p50} ms p99 ${sat.p99} ms errors ${sat.errors} (seeded in ${seedMs} ms; load avg ${loadAvg})`,
    );
    scale.push({ openOrders: n, loadAvg, seedMs, sequential: seq, saturation: sat });
  }
} finally {
  await fresh.stop();
  app.kill("SIGTERM");
  await sql.end();
  await new Promise((r) => setTimeout(r, 1500));
  await db.drop();
}

// One process vs two on one PostgreSQL, same offered load (32 connections in all), 1 USDT orders,
// a balance that covers about half of what the run would take: it must run out exactly.
const instances: InstancesRow[] = [];
for (const processes of [1, 2]) {
  const d = await freshDatabase("bench_two");
  const s = postgres(d.url, { max: 1, onnotice: () => {} });
  const apps = [await startBroker(d.url, BASE + 3)];
  if (processes === 2) apps.push(await startBroker(d.url, BASE + 4));
  const keep = keepBalancesFresh(d.url);
  try {
    await s`update assets set max_usdt = 1000000`;
    const balance = quick ? 300 : 1000;
    await s`update balances set balance = ${balance}, reserved = 0 where asset_id = ${USDT}`;
    const codes: Record<string, number> = {};
    const runs = apps.map((_, i) =>
      autocannon({
        url: `http://127.0.0.1:${BASE + 3 + i}/mixpay/create_order`,
        method: "POST",
        connections: 32 / processes,
        duration: durationS,
        headers: { "content-type": "application/json" },
        requests: [
          {
            setupRequest: (req: autocannon.Request) => ({ ...req, body: body("1") }),
            onResponse: (_st: number, b: string) => {
              const c = String((JSON.parse(b) as { code: number }).code);
              codes[c] = (codes[c] ?? 0) + 1;
            },
          },
        ],
      }),
    );
    const results = await Promise.all(runs);
    const [row] = await s<{ n: number; sum: string; counter: string }[]>`
      select count(*)::int as n, coalesce(sum(amount), 0)::text as sum, (select reserved::text from balances where asset_id = ${USDT}) as counter
      from orders where asset_id = ${USDT} and status = 'created'`;
    const created = codes["0"] ?? 0;
    // Judged on the store (answers still in flight when the load stops are not counted above):
    // the counter equals the open orders, they never exceed the balance, and a run that met
    // 11002 used the balance up exactly (1 USDT orders).
    const exact =
      Number(row!.sum) === Number(row!.counter) &&
      Number(row!.sum) <= balance &&
      (codes["11002"] ? Number(row!.sum) === balance : true);
    const entry = {
      processes,
      rps: Math.round(results.reduce((a, r) => a + r.requests.average, 0)),
      created,
      unavailable: codes["11002"] ?? 0,
      other: Object.entries(codes)
        .filter(([c]) => c !== "0" && c !== "11002")
        .reduce((a, [, v]) => a + v, 0),
      balance,
      reservedCounter: row!.counter,
      openSum: row!.sum,
      exact,
    };
    console.log(
      `${processes} process(es): ${entry.rps} rps, ${entry.created} created, ${entry.unavailable} × 11002, ${entry.other} other; balance ${balance}, counter ${entry.reservedCounter}, open orders ${entry.openSum}: ${exact ? "exact" : "NOT EXACT"}`,
    );
    instances.push(entry);
  } finally {
    await keep.stop();
    for (const a of apps) a.kill("SIGTERM");
    await s.end();
    await new Promise((r) => setTimeout(r, 1500));
    await d.drop();
  }
}

await closeMixin();
save("open-orders", {
  when: new Date().toISOString(),
  conditions: process.env.BENCH_CONDITIONS ?? "",
  quick,
  durationS,
  sequentialN,
  scale,
  instances,
});
