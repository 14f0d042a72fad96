import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installStore } from "@/db";
import { MIGRATIONS_DIR, type Db } from "@/db/client";
import * as schema from "@/db/schema";
import { seedDemoData } from "@/db/seed";
import { createBody, createRequest, PAYEE, rangeRequest } from "@/test/mixpay";
import { handleAssetsRange, handleCreateOrder } from "./handlers";

/**
 * Round trips per MixPay request (issue 14): every statement Drizzle sends is counted (a
 * transaction's BEGIN/COMMIT are not Drizzle statements and would come on top). The bounds are
 * today's counts, so a change that adds a query to the hot path fails here and must say why.
 * Before the reservation counter: create_order 10 statements + BEGIN/COMMIT, assets/range 6.
 */
const statements: string[] = [];
let client: PGlite;
beforeAll(async () => {
  client = new PGlite();
  await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  const db = drizzle(client, { schema, logger: { logQuery: (q) => statements.push(q) } }) as unknown as Db;
  await seedDemoData(db);
  installStore({ db, driver: "pglite", migrate: async () => undefined, close: async () => client.close() });
}, 240_000);
afterAll(async () => client.close());

async function count(run: () => Promise<Response>): Promise<{ n: number; code: number; sql: string[] }> {
  statements.length = 0;
  const res = await run();
  const { code } = (await res.json()) as { code: number };
  return { n: statements.length, code, sql: [...statements] };
}

describe("queries per MixPay request", () => {
  it("create_order: two rate-limit counters, wallet, access policy (2), asset, ONE check-reserve-insert statement, then the wallet's links and their event", async () => {
    const r = await count(() => handleCreateOrder(createRequest(createBody({ amount: "2" }))));
    expect(r.code).toBe(0);
    expect(r.sql.filter((q) => /^\s*with r as \(\s*update "balances"/i.test(q))).toHaveLength(1);
    // No sum over orders on the hot path.
    expect(r.sql.filter((q) => /sum\(/i.test(q))).toHaveLength(0);
    // 7 on the reservation path + the per-source and per-payee rate-limit upserts (server/mixpay/rate-limit.ts).
    expect(r.sql.filter((q) => /rate_limit_counters/i.test(q))).toHaveLength(2);
    expect(r.n).toBeLessThanOrEqual(9);
  });

  it("assets/range: wallet, access policy (2), enabled assets, balances with their counters", async () => {
    const r = await count(() => handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" })));
    expect(r.code).toBe(0);
    expect(r.sql.filter((q) => /sum\(/i.test(q))).toHaveLength(0);
    expect(r.n).toBeLessThanOrEqual(5);
  });
});
