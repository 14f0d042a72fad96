import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDb, type DbHandle } from "@/db/client";
import { installStore } from "@/db";
import { seedDemoData } from "@/db/seed";

/**
 * A fresh, migrated store for one test file. On PGlite (the default) it is in memory; when the
 * suite runs against PostgreSQL (scripts/with-pg-test-db.ts sets TEST_PG_TEMPLATE) each call
 * clones the migrated template database, so test files never share state.
 */
export interface TestStore extends DbHandle {
  /** "pglite" or "postgres": tests that need real concurrency can check this. */
  cleanup(): Promise<void>;
  /** On PostgreSQL, the URL of this store's database (for a second handle, as another instance would open). */
  databaseUrl?: string;
}

export function testDriver(): "pglite" | "postgres" {
  return process.env.TEST_PG_TEMPLATE ? "postgres" : "pglite";
}

export async function createTestStore(opts: { seed?: boolean; install?: boolean } = {}): Promise<TestStore> {
  const template = process.env.TEST_PG_TEMPLATE;
  let handle: DbHandle;
  let dropDb: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (template) {
    const adminUrl = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `${template}_f${randomBytes(5).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}" template "${template}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    handle = openDb({ databaseUrl, poolSize: 20 });
    dropDb = async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    };
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
