import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "@/db/client";
import { orders } from "@/db/schema";
import { startMixinEmulator } from "@/test/doubles/mixin/emulator";
import { emulatorStateSaver, loadEmulatorState } from "@/test/doubles/mixin/persist";
import { brokerDeps } from "@/inngest/deps";
import { reconcileLedger } from "@/server/ledger/reconcile";
import { pointBrokerAtEmulator } from "@/test/emulator";
import { generateDemoHistory } from "./history";

/*
 * `npm run dev`'s first start and a restart (docs/demo.md): the history is generated into a PGlite
 * folder, the emulator's state is saved next to it, and a new emulator started from that file
 * agrees with the books: a reconciliation after the "restart" finds nothing unexplained.
 */
const dir = mkdtempSync(path.join(tmpdir(), "demo-history-"));
const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo history of npm run dev", () => {
  it("is generated once on a fresh store, back-dated over a week, and agrees with the restarted emulator", {
    timeout: 120_000,
  }, async () => {
    const pglite = path.join(dir, "pglite");
    const stateFile = path.join(dir, "pglite.mixin-emulator.json");
    const first = await startMixinEmulator();
    const h = await generateDemoHistory({ pgliteDataDir: pglite, emulator: first, orders: 16 });
    expect(h!.summary.errors).toEqual([]);
    expect(h!.summary.created).toBe(16);
    emulatorStateSaver(stateFile, () => first.exportState()).flush();
    await first.close();

    // The second start: same store, the emulator from its file; no new history.
    const second = await startMixinEmulator({ state: loadEmulatorState(stateFile) });
    expect(await generateDemoHistory({ pgliteDataDir: pglite, emulator: second, orders: 16 })).toBeUndefined();
    pointBrokerAtEmulator(second);
    const handle = openDb({ pgliteDataDir: pglite });
    try {
      const rows = await handle.db.select({ createdAt: orders.createdAt }).from(orders);
      expect(rows).toHaveLength(16);
      const oldest = Math.min(...rows.map((r) => r.createdAt.getTime()));
      expect(Date.now() - oldest).toBeGreaterThan(5 * 24 * 3_600_000);
      const r = await reconcileLedger(handle.db, {
        balances: brokerDeps().balances,
        snapshots: brokerDeps().snapshots,
        wallets: [],
      });
      expect(r.checks.length).toBeGreaterThan(0);
      expect(r.checks.filter((c) => c.difference !== "0" || c.opening)).toEqual([]);
      expect({ lost: r.lostSnapshots, suspense: r.newSuspenseItems, reservations: r.reservations }).toEqual({
        lost: [],
        suspense: 0,
        reservations: [],
      });
    } finally {
      await handle.close();
      await second.close();
    }
  });
});
