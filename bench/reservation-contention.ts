/**
 * Reservation contention: K concurrent create_orders on one asset whose balance covers exactly N
 * of them. Successes must equal N at every size.   tsx bench/reservation-contention.ts
 */
import postgres from "postgres";
import {
  createOrderBody,
  closeMixin,
  freshDatabase,
  keepBalancesFresh,
  percentile,
  save,
  startBroker,
  USDT,
} from "./lib";

const PORT = Number(process.env.BENCH_PORT_BASE ?? 4080) + 1;
const db = await freshDatabase("bench_contention");
// A broker that cannot start leaves no database behind.
const app = await startBroker(db.url, PORT).catch(async (e: unknown) => {
  await db.drop();
  await closeMixin();
  throw e;
});
const fresh = keepBalancesFresh(db.url);
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
const rows: {
  concurrent: number;
  covers: number;
  successes: number;
  unavailable: number;
  other: number;
  p50: number;
  p99: number;
  wallMs: number;
}[] = [];
try {
  for (const [concurrent, covers] of [
    [50, 10],
    [200, 50],
    [400, 100],
  ] as const) {
    // Release earlier reservations, then make the balance cover exactly `covers` orders of 1 USDT.
    // (Raw SQL bypasses transitionOrder, so the reservation counter is reset with it.)
    await sql`update orders set status = 'expired' where status = 'created'`;
    await sql`update balances set balance = ${covers}, reserved = 0 where asset_id = ${USDT}`;
    const started = performance.now();
    const timings: number[] = [];
    const codes = await Promise.all(
      Array.from({ length: concurrent }, async () => {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${PORT}/mixpay/create_order`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: createOrderBody({ amount: "1", memo: "c", opponentId: crypto.randomUUID() }),
        });
        const code = ((await res.json()) as { code: number }).code;
        timings.push(performance.now() - t0);
        return code;
      }),
    );
    const wallMs = performance.now() - started;
    timings.sort((a, b) => a - b);
    const row = {
      concurrent,
      covers,
      successes: codes.filter((c) => c === 0).length,
      unavailable: codes.filter((c) => c === 11002).length,
      other: codes.filter((c) => c !== 0 && c !== 11002).length,
      p50: Math.round(percentile(timings, 50)),
      p99: Math.round(percentile(timings, 99)),
      wallMs: Math.round(wallMs),
    };
    const [sum] = await sql<
      { reserved: string; counter: string }[]
    >`select coalesce(sum(amount),0)::text as reserved, (select reserved::text from balances where asset_id = ${USDT}) as counter from orders where status = 'created'`;
    const reserved = sum?.reserved ?? "0";
    if (Number(sum?.counter) !== Number(reserved))
      throw new Error(`reservation counter ${sum?.counter} ≠ open orders ${reserved}`);
    console.log(
      `${concurrent} concurrent, balance covers ${covers}: ${row.successes} created, ${row.unavailable} × 11002, ${row.other} other; reserved ${reserved}; p50 ${row.p50} ms p99 ${row.p99} ms, all in ${row.wallMs} ms`,
    );
    rows.push(row);
  }
} finally {
  await sql.end();
  await fresh.stop();
  app.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1500));
  await db.drop();
  await closeMixin();
}
save("reservation-contention", {
  when: new Date().toISOString(),
  rows,
  exact: rows.every((r) => r.successes === r.covers && r.other === 0),
});
