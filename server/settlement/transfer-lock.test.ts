import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { resetEnvCache } from "@/server/env";
import { SafeMixinPort } from "@/server/mixin/mixin-port";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { beginSettlement, sendSettlementTransfer } from "./settle-order";

/**
 * A burst of settlements of one asset in one process, with a small connection pool: each waits
 * for the asset's transfer lock, and the holder needs a second connection to store its signed raw.
 * Waiting transfers must not each hold a pooled connection meanwhile (a burst as large as the
 * pool once left the holder without a connection and the whole broker hung).
 */
let store: TestStore;
let small: DbHandle;
let emu: MixinEmulator;
const savedUrl = process.env.DATABASE_URL;
beforeAll(async () => {
  store = await createTestStore();
  // On PostgreSQL the lock is taken when DATABASE_URL is set (as in production); a 3-connection pool.
  small = store.databaseUrl ? openDb({ databaseUrl: store.databaseUrl, poolSize: 3 }) : store;
  if (store.databaseUrl) process.env.DATABASE_URL = store.databaseUrl;
  resetEnvCache();
  emu = await startMixinEmulator({ outputsPerAsset: 20 });
});
afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  resetEnvCache();
  await emu.close();
  if (small !== store) await small.close();
  await store.cleanup();
});

describe("the per-asset transfer lock under a burst", () => {
  it("sends a burst of twice the pool size of one asset's transfers, each once", async () => {
    const port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
    const orders = [];
    for (let i = 0; i < 6; i++) {
      const o = await insertOrder(store.db, { status: "paid", amount: "1", opponentId: EMULATED_MIXPAY_BOT });
      await beginSettlement(store.db, o.id, "test");
      orders.push(o);
    }
    const results = await Promise.all(orders.map((o) => sendSettlementTransfer(small.db, o.id, port, "test")));
    expect(results.map((r) => r.state)).toEqual(orders.map(() => "spent"));
    const traces = new Set(orders.map((o) => o.traceId));
    expect(emu.settlements().filter((s) => traces.has(s.traceId))).toHaveLength(6);
  }, 30_000);
});
