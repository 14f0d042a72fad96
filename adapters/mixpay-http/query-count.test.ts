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
 * Before the catalog cache: create_order 9 (two rate-limit upserts, wallet, access policy (2),
 * asset, reserve, links, their event), assets/range 5.
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
  it("create_order: ONE statement for both rate-limit counters and the catalog version, ONE check-reserve-insert, ONE for the wallet's links and their event", async () => {
    await count(() => handleCreateOrder(createRequest(createBody({ amount: "1" })))); // the cold catalog loads once
    const r = await count(() => handleCreateOrder(createRequest(createBody({ amount: "2" }))));
    expect(r.code).toBe(0);
    expect(r.sql.filter((q) => /^\s*with r as \(\s*update "balances"/i.test(q))).toHaveLength(1);
    // No sum over orders on the hot path.
    expect(r.sql.filter((q) => /sum\(/i.test(q))).toHaveLength(0);
    const limiter = r.sql.filter((q) => /rate_limit_counters/i.test(q));
    expect(limiter).toHaveLength(1);
    expect(limiter[0]).toMatch(/catalog_version/);
    expect(r.n).toBe(3);
  });

  it("assets/range: ONE statement, the balances with the catalog version", async () => {
    await count(() => handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" })));
    const r = await count(() => handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" })));
    expect(r.code).toBe(0);
    expect(r.sql.filter((q) => /sum\(/i.test(q))).toHaveLength(0);
    expect(r.n).toBe(1);
  });

  it("a catalog change costs the next request one reload (version + wallets, assets, policy, entries), then it is one statement again", async () => {
    await client.query(`update assets set fee_rate = fee_rate where true`);
    const reload = await count(() => handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" })));
    expect(reload.code).toBe(0);
    expect(reload.n).toBe(1 + 5);
    expect((await count(() => handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo" })))).n).toBe(1);
  });
});
