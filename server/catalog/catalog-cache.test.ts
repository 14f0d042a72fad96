import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, openDb, type Db } from "@/db/client";
import * as schema from "@/db/schema";
import { DEMO_ASSETS, seedDemoData } from "@/db/seed";
import { setAccessEntry } from "@/server/access/manage-access";
import { updateAsset } from "@/server/assets/update-asset";
import { setWalletEnabled } from "@/server/wallets/set-wallet-enabled";
import { env } from "@/server/env";
import { AppError, AppErrorCode } from "@/server/errors";
import { createBody } from "@/test/mixpay";
import { createTestStore, testDriver, type TestStore } from "@/test/store";
import { createOrderParamsSchema, parseParams } from "@/server/mixpay/schemas";
import { createOrder } from "@/server/orders/create-order";
import { getAssetsRange } from "@/server/orders/get-assets-range";
import { walletProvider } from "@/server/wallets/registry";
import { catalogLoads, currentCatalog } from "./catalog-cache";

/**
 * Two broker instances on one database: A (where the operator edits) and B (which serves MixPay
 * from its warm cache). On PostgreSQL two connection pools; on PGlite two Drizzle handles over one
 * embedded database (each handle has its own cache, as each process would). B must see every
 * change on its very next request: the cache checks the catalog version inside its own statement.
 */
const PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";
const OPERATOR = { id: "00000000-0000-4000-8000-000000000001", email: "ops@example.test" };
let a: Db;
let b: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  if (testDriver() === "postgres") {
    const store: TestStore = await createTestStore({ install: false });
    const second = openDb({ databaseUrl: store.databaseUrl!, poolSize: 4 });
    [a, b] = [store.db, second.db];
    close = async () => {
      await second.close();
      await store.cleanup();
    };
  } else {
    const client = new PGlite();
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    a = drizzle(client, { schema }) as unknown as Db;
    b = drizzle(client, { schema }) as unknown as Db;
    await seedDemoData(a);
    close = () => client.close();
  }
}, 240_000);
afterAll(async () => close());

const range = async (db: Db) => (await getAssetsRange(db, { payeeId: PAYEE, wallet: "demo" })).map((r) => r.asset_id);
const order = (db: Db, overrides: Record<string, unknown> = {}) => {
  const e = env();
  const p = parseParams(
    createOrderParamsSchema(new Date(), { maxExpirySeconds: e.MIXPAY_MAX_EXPIRY_SECONDS, botIds: e.MIXPAY_BOT_IDS }),
    createBody({ amount: "1", ...overrides }),
  );
  return createOrder(db, p, { walletProvider });
};
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "accepted",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe(`catalog cache across instances (${testDriver()})`, () => {
  it("B serves from its cache: no reload while nothing changes", async () => {
    await range(b);
    const loads = catalogLoads(b);
    await range(b);
    await order(b);
    expect(catalogLoads(b)).toBe(loads);
  });

  it("an asset disabled on A is gone from B's next assets/range and refused by B's next create_order", async () => {
    expect(await range(b)).toContain(DEMO_ASSETS.USDT);
    await updateAsset(a, OPERATOR, { assetId: DEMO_ASSETS.USDT, enabled: false });
    expect(await range(b)).not.toContain(DEMO_ASSETS.USDT);
    expect(await refusal(order(b))).toBe(AppErrorCode.BAD_PARAMETER);
    await updateAsset(a, OPERATOR, { assetId: DEMO_ASSETS.USDT, enabled: true });
    expect(await range(b)).toContain(DEMO_ASSETS.USDT);
  });

  it("a fee and limits changed on A are what B answers next", async () => {
    await updateAsset(a, OPERATOR, { assetId: DEMO_ASSETS.USDT, feeRate: "0.02", maxUsdt: "4321" });
    const usdt = (await getAssetsRange(b, { payeeId: PAYEE, wallet: "demo" })).find(
      (r) => r.asset_id === DEMO_ASSETS.USDT,
    )!;
    expect(usdt.fee).toBe("0.0200");
    expect(usdt.max_usdt).toBe("4321.00");
  });

  it("a payee blocked on A is refused by B at once; a wallet disabled on A is refused by B at once", async () => {
    await setAccessEntry(a, OPERATOR, { payeeId: PAYEE, list: "block", present: true });
    expect(await refusal(range(b))).toBe(AppErrorCode.NO_PERMISSION);
    expect(await refusal(order(b))).toBe(AppErrorCode.NO_PERMISSION);
    await setAccessEntry(a, OPERATOR, { payeeId: PAYEE, list: "block", present: false });
    expect(await refusal(order(b))).toBe("accepted");

    await setWalletEnabled(a, OPERATOR, "demo", false);
    expect(await refusal(range(b))).toBe(AppErrorCode.BAD_PARAMETER);
    await setWalletEnabled(a, OPERATOR, "demo", true);
    expect(await range(b)).toContain(DEMO_ASSETS.USDT);
  });

  it("hand SQL and the price sync count too (a trigger, not the operator actions, stamps the change)", async () => {
    await a.execute(sql`update assets set enabled = false where asset_id = ${DEMO_ASSETS.BTC}::uuid`);
    expect(await range(b)).not.toContain(DEMO_ASSETS.BTC);
    await a.execute(sql`update assets set enabled = true, price_usd = null where asset_id = ${DEMO_ASSETS.BTC}::uuid`);
    // No price: not offered (its limits cannot be computed).
    expect(await range(b)).not.toContain(DEMO_ASSETS.BTC);
  });

  it("without its version row (wiped by hand) nothing is cached: every request reads the catalog", async () => {
    await a.execute(sql`delete from catalog_version`);
    const before = catalogLoads(b);
    await range(b);
    await range(b);
    expect(catalogLoads(b)).toBe(before + 2);
    expect((await currentCatalog(b)).version).toBeNull();
    // The next change brings the row back (the trigger upserts it), and caching resumes.
    await updateAsset(a, OPERATOR, { assetId: DEMO_ASSETS.USDT, feeRate: "0.01" });
    await range(b);
    const loads = catalogLoads(b);
    await range(b);
    expect(catalogLoads(b)).toBe(loads);
  });
});
