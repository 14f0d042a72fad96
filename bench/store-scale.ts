/**
 * The console's history queries on a big store: 100,000 then 1,000,000 orders (generate_series),
 * each query run 50 times through the real service functions (listOrders, orderTotals), p50/p95,
 * plus EXPLAIN (ANALYZE, BUFFERS) of each shape.   tsx bench/store-scale.ts [--quick]
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { sql as dsql } from "drizzle-orm";
import { openDb } from "../db/client";
import { seedDemoData } from "../db/seed";
import { listOrders, orderTotals } from "../server/console/list-orders";
import type { OrderFilter } from "../server/console/order-filters";
import type { PayeeScope } from "../server/console/payee-scope";
import { freshDatabase, percentile, RESULTS, save, USDT } from "./lib";

const quick = process.argv.includes("--quick");
const SIZES = quick ? [20_000, 100_000] : [100_000, 300_000, 1_000_000];
const RUNS = 50;
const PAYEES = 1000;

const db = await freshDatabase("bench_store");
const handle = openDb({ databaseUrl: db.url, poolSize: 4 });
await handle.migrate();
await seedDemoData(handle.db);
const payee = (k: number) => dsql`md5(${String(k)})::uuid`;
const payeeRows = (await handle.db.execute(dsql`select ${payee(7)}::text as "payeeA"`)) as unknown as {
  payeeA: string;
}[];
const payeeA = payeeRows[0]!.payeeA;

async function grow(from: number, to: number) {
  const t0 = performance.now();
  await handle.db.execute(dsql`
    insert into orders (trace_id, payee_id, wallet, asset_id, amount, fee_rate, fee, pay_amount, memo, expired_at, return_url, opponent_id, request_hash, status, wallet_provider, created_at, updated_at)
    select gen_random_uuid(),
           md5(((i::bigint * 7919) % ${PAYEES}::int)::text)::uuid,
           case when i % 3 = 0 then 'binance' else 'demo' end,
           (array['4d8c508b-91c5-375b-92b0-ee702ed2dac5','c6d0c728-2624-429b-8e0d-d9d19b6592fa','43d61dcd-e413-450d-80b8-101d5e903357'])[1 + i % 3]::uuid,
           ((i % 1000) + 1) / 100.0, 0.01, ((i % 1000) + 1) / 10000.0, ((i % 1000) + 1) * 1.01 / 100.0,
           'bench', ts + interval '15 minutes', 'https://mixpay.me/r', '5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37', repeat('0', 64),
           (array['settled','settled','settled','settled','settled','settled','settled','settled','settled','settled','settled','settled','expired','expired','cancelled','refunded','paid_late','mixpay_refunded','settlement_failed','created'])[1 + i % 20]::order_status,
           'demo', ts, ts
      from generate_series(${from + 1}::int, ${to}::int) as i,
           lateral (select now() - (i * interval '20 seconds') as ts) t`);
  await handle.db.execute(dsql`analyze orders`);
  return Math.round(performance.now() - t0);
}

async function time(fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return {
    p50: Number(percentile(ms, 50).toFixed(2)),
    p95: Number(percentile(ms, 95).toFixed(2)),
    max: Number(ms[ms.length - 1]!.toFixed(2)),
  };
}

const merchant: PayeeScope = { kind: "payees", payeeIds: [payeeA] };
const all: PayeeScope = { kind: "all" };
const monthAgo = new Date(Date.now() - 30 * 86_400_000);
const filtered: OrderFilter = { status: "settled", assetId: USDT, from: monthAgo, to: new Date() };

const report: Record<string, unknown>[] = [];
const plans: string[] = [];
let have = 0;
for (const size of SIZES) {
  const seedMs = await grow(have, size);
  have = size;
  // A deep page: the cursor of the 20th page of the merchant's history.
  let deep: { createdAt: Date; id: string } | undefined;
  for (let i = 0; i < 20; i++)
    deep = (await listOrders(handle.db, merchant, {}, { cursor: deep, limit: 50 })).nextCursor ?? deep;
  const row = {
    size,
    seedMs,
    merchantFirstPage: await time(() => listOrders(handle.db, merchant, {}, { limit: 50 })),
    merchantDeepPage: await time(() => listOrders(handle.db, merchant, {}, { cursor: deep, limit: 50 })),
    merchantFiltered: await time(() => listOrders(handle.db, merchant, filtered, { limit: 50 })),
    merchantTotals: await time(() => orderTotals(handle.db, merchant, {})),
    operatorStatusPage: await time(() => listOrders(handle.db, all, { status: "settlement_failed" }, { limit: 50 })),
    operatorAllPage: await time(() => listOrders(handle.db, all, {}, { limit: 50 })),
    operatorTraceSearch: await time(() =>
      listOrders(handle.db, all, { q: "9fb06c4e-6f51-4983-98db-774396b3a664" }, { limit: 50 }),
    ),
  };
  // CSV export of 100k rows, the way the export route pages through them.
  const t0 = performance.now();
  let cursor: { createdAt: Date; id: string } | undefined;
  let exported = 0;
  do {
    const page = await listOrders(handle.db, all, {}, { cursor, limit: 1000 });
    exported += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && exported < 100_000);
  const exportMs = Math.round(performance.now() - t0);
  report.push({ ...row, export100k: { rows: exported, ms: exportMs } });
  console.log(JSON.stringify(report[report.length - 1]));

  const explain = async (name: string, q: ReturnType<typeof dsql>) => {
    const rows = (await handle.db.execute(dsql`explain (analyze, buffers) ${q}`)) as unknown as Record<
      string,
      string
    >[];
    plans.push(`-- ${name} (${size} orders)\n${rows.map((r) => Object.values(r)[0]).join("\n")}\n`);
  };
  const cols = dsql`o.id, o.trace_id, o.amount, o.status, o.created_at, a.symbol`;
  await explain(
    "merchant first page",
    dsql`select ${cols} from orders o left join assets a on a.asset_id = o.asset_id where o.payee_id in (${payeeA}) order by o.created_at desc, o.id desc limit 51`,
  );
  await explain(
    "merchant filtered page",
    dsql`select ${cols} from orders o left join assets a on a.asset_id = o.asset_id where o.payee_id in (${payeeA}) and o.status = 'settled' and o.asset_id = ${USDT} and o.created_at >= ${monthAgo.toISOString()} and o.created_at < now() order by o.created_at desc, o.id desc limit 51`,
  );
  await explain(
    "operator status page",
    dsql`select ${cols} from orders o left join assets a on a.asset_id = o.asset_id where o.status = 'settlement_failed' order by o.created_at desc, o.id desc limit 51`,
  );
  await explain(
    "operator all orders page",
    dsql`select ${cols} from orders o left join assets a on a.asset_id = o.asset_id order by o.created_at desc, o.id desc limit 51`,
  );
  await explain(
    "merchant totals",
    dsql`select o.asset_id, count(*), sum(o.amount) from orders o where o.payee_id in (${payeeA}) group by o.asset_id`,
  );
}
await handle.close();
await db.drop();
save("store-scale", { when: new Date().toISOString(), runs: RUNS, payees: PAYEES, report });
writeFileSync(path.join(RESULTS, "store-scale-plans.txt"), plans.join("\n"));
