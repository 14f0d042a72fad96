/**
 * `npm run dev`'s demo history: on a fresh PGlite store with demo data, a week of traffic is
 * generated before the app starts, back-dated through the process clock (simulated-clock.ts; PGlite
 * reads the same clock), so the console's charts and the treasury have something to show on first
 * start. It runs in the dev script's process, where the Mixin emulator lives: the emulator's
 * snapshots get the same simulated times, and its state is then kept next to the store
 * (test/doubles/mixin/persist.ts), so the books and Mixin agree on every later start.
 * The binance wallet is served by the demo wallet here (the Binance Pay double, when asked for,
 * is in-memory and starts empty on every run). docs/demo.md.
 */
import { openDb } from "@/db/client";
import { closeStore, installStore } from "@/db";
import { seedDemoData } from "@/db/seed";
import { orders } from "@/db/schema";
import type { MixinEmulator } from "@/test/doubles/mixin/emulator";
import { resetEnvCache } from "@/server/env";
import { generateTraffic, type TrafficSummary } from "./in-process";
import { installSimulatedClock } from "./simulated-clock";

const DAY = 24 * 3_600_000;

export async function generateDemoHistory(opts: {
  pgliteDataDir: string;
  emulator: MixinEmulator;
  orders: number;
  seed?: number;
}): Promise<{ summary: TrafficSummary; ms: number } | undefined> {
  const started = performance.now();
  const saved = { ...process.env };
  // The broker's code in this process talks to the emulator, with the demo wallet serving both wallets.
  Object.assign(process.env, {
    MIXIN_KEYSTORE: JSON.stringify(opts.emulator.keystore),
    MIXIN_API_BASE_URL: opts.emulator.url,
    MIXPAY_API_BASE_URL: opts.emulator.url,
    LOG_LEVEL: "error",
  });
  for (const k of ["BINANCE_PAY_API_KEY", "BINANCE_PAY_SECRET", "DATABASE_URL"]) delete process.env[k];
  resetEnvCache();
  await import("@/inngest/wire"); // the real Mixin port and MixPay client, built from the environment above
  const handle = openDb({ pgliteDataDir: opts.pgliteDataDir });
  try {
    await handle.migrate();
    await seedDemoData(handle.db);
    if ((await handle.db.select({ id: orders.id }).from(orders).limit(1)).length > 0) return undefined;
    installStore(handle);
    const now = Date.now();
    const clock = installSimulatedClock(new Date(now - 7 * DAY));
    let summary: TrafficSummary;
    try {
      // Ends two hours ago: every story (late payments, MixPay's refunds) is over before the real now.
      summary = await generateTraffic(
        {
          db: handle.db,
          emulator: opts.emulator,
          clock,
          reconcile: { balances: (await deps()).balances, snapshots: (await deps()).snapshots, wallets: [] },
        },
        {
          seed: opts.seed ?? 13,
          orders: opts.orders,
          from: new Date(now - 7 * DAY),
          to: new Date(now - 2 * 3_600_000),
        },
      );
    } finally {
      clock.restore();
    }
    // A sync at the real time, so create_order answers at once when the app starts.
    const { syncBalances } = await import("@/server/balances/sync-balances");
    await syncBalances(handle.db, (await deps()).balances);
    return { summary, ms: Math.round(performance.now() - started) };
  } finally {
    await closeStore().catch(() => undefined);
    await handle.close().catch(() => undefined);
    process.env = saved;
    resetEnvCache();
  }
}

async function deps() {
  return (await import("@/inngest/deps")).brokerDeps();
}
