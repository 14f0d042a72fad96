import "server-only";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The database handle every service takes; the same type whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A handle or an open transaction: services that may run inside a caller's transaction take this. */
export type DbOrTx = Db | Tx;

export type DriverName = "pglite" | "postgres";

export interface DbHandle {
  db: Db;
  driver: DriverName;
  /** Apply pending migrations (serialised across processes on PostgreSQL). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.join(process.cwd(), "db", "migrations");

export interface OpenDbOptions {
  /** PostgreSQL URL; when absent PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory, or "memory://" for a throwaway in-memory store. */
  pgliteDataDir?: string;
  poolSize?: number;
}

export function openDb(opts: OpenDbOptions): DbHandle {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts.pgliteDataDir ?? ".data/pglite");
}

function openPostgres(url: string, poolSize: number): DbHandle {
  const sql = postgres(url, {
    max: poolSize,
    // numeric stays a string (postgres.js default); keep bigint ids exact.
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
  });
  const db = drizzlePostgres(sql, { schema }) as unknown as Db;
  return {
    db,
    driver: "postgres",
    async migrate() {
      // One connection holds an advisory lock so two instances starting together migrate once.
      const one = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await one`select pg_advisory_lock(727274)`;
        await migratePostgres(drizzlePostgres(one), { migrationsFolder: MIGRATIONS_DIR });
        await one`select pg_advisory_unlock(727274)`;
      } finally {
        await one.end();
      }
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

function openPglite(dataDir: string): DbHandle {
  const inMemory = dataDir === "memory://" || dataDir === "";
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = inMemory ? new PGlite() : new PGlite(dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    },
    async close() {
      await client.close();
    },
  };
}
