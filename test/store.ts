import { openDb, type DbHandle } from "@/db/client";
import { installStore } from "@/db";
import { seedDemoData } from "@/db/seed";
import { createFreshDatabase } from "./support/fresh-database";

/**
 * A fresh, migrated store for one test file. On PGlite (the default) it is in memory; when the
 * suite runs against PostgreSQL (scripts/with-pg-test-db.ts sets TEST_PG_TEMPLATE) each call
 * clones the migrated template database, so test files never share state.
 */
export interface TestStore extends DbHandle {
  /** Closes the handle and, on PostgreSQL, drops the clone. */
  cleanup(): Promise<void>;
  /** On PostgreSQL, the store's URL: a test may open a second handle (another broker instance) on it. */
  databaseUrl?: string;
}

/** "pglite" or "postgres": tests that need real concurrency can check this. */
export function testDriver(): "pglite" | "postgres" {
  return process.env.TEST_PG_TEMPLATE ? "postgres" : "pglite";
}

export async function createTestStore(opts: { seed?: boolean; install?: boolean } = {}): Promise<TestStore> {
  const template = process.env.TEST_PG_TEMPLATE;
  let handle: DbHandle;
  let dropDb: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (template) {
    const fresh = await createFreshDatabase({ prefix: `${template}_f`, template });
    databaseUrl = fresh.url;
    handle = openDb({ databaseUrl, poolSize: 20 });
    dropDb = fresh.drop;
  } else {
    handle = openDb({ pgliteDataDir: "memory://" });
    await handle.migrate();
  }
  if (opts.seed ?? true) await seedDemoData(handle.db);
  if (opts.install ?? true) installStore(handle);
  return {
    ...handle,
    databaseUrl,
    async cleanup() {
      await handle.close();
      await dropDb?.();
    },
  };
}
