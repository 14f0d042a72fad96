/**
 * Background throughput against the Mixin emulator through the real SDK port, on PostgreSQL:
 * snapshot processing (pollSnapshots → processSnapshot, each once) and a balance sync of many
 * assets, at two sizes each.   tsx bench/background.ts [--quick]
 */
import { randomUUID } from "node:crypto";
import { openDb } from "../db/client";
import { assets } from "../db/schema";
import { seedDemoData } from "../db/seed";
import { startMixinEmulator } from "../test/doubles/mixin/emulator";
import { syncBalances } from "../server/balances/sync-balances";
import { SafeMixinPort } from "../server/mixin/mixin-port";
import { pollSnapshots } from "../server/snapshots/poll-snapshots";
import { freshDatabase, save, USDT } from "./lib";

const quick = process.argv.includes("--quick");
const snapshotSizes = quick ? [500, 2000] : [2000, 10000];
const assetSizes = quick ? [50, 200] : [50, 200];
const out: Record<string, unknown> = { when: new Date().toISOString(), snapshots: [], balanceSync: [] };

for (const n of snapshotSizes) {
  const db = await freshDatabase("bench_bg");
  const handle = openDb({ databaseUrl: db.url, poolSize: 4 });
  await handle.migrate();
  await seedDemoData(handle.db);
  const emu = await startMixinEmulator();
  for (let i = 0; i < n; i++) emu.topUp(USDT, "1");
  const port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
  const t0 = performance.now();
  const r = await pollSnapshots(handle.db, port, { pageSize: 500, maxPages: 1000 });
  const ms = performance.now() - t0;
  const row = { snapshots: r.read, ms: Math.round(ms), perSecond: Math.round((r.read / ms) * 1000) };
  (out.snapshots as unknown[]).push(row);
  console.log(`snapshots: ${JSON.stringify(row)}`);
  await emu.close();
  await handle.close();
  await db.drop();
}

for (const n of assetSizes) {
  const db = await freshDatabase("bench_bg");
  const handle = openDb({ databaseUrl: db.url, poolSize: 4 });
  await handle.migrate();
  const extra = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [randomUUID(), { symbol: `A${i}`, price: "2", balance: "1000" }]),
  );
  await handle.db.insert(assets).values(
    Object.entries(extra).map(([assetId, a]) => ({
      assetId,
      symbol: a.symbol,
      name: a.symbol,
      minUsdt: "1",
      maxUsdt: "100",
      feeRate: "0.01",
    })),
  );
  const emu = await startMixinEmulator({ extraAssets: extra, outputsPerAsset: 5 });
  const port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
  const passes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await syncBalances(handle.db, port);
    passes.push(performance.now() - t0);
    if (r.synced !== n) throw new Error(`synced ${r.synced} of ${n}`);
  }
  passes.sort((a, b) => a - b);
  const row = { assets: n, outputs: (n + 3) * 5, medianMs: Math.round(passes[2]!), maxMs: Math.round(passes[4]!) };
  (out.balanceSync as unknown[]).push(row);
  console.log(`balance sync: ${JSON.stringify(row)}`);
  await emu.close();
  await handle.close();
  await db.drop();
}
save("background", out);
