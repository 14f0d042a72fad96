import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * Throwaway PostgreSQL databases, the one way every tool here makes them: the vitest run's
 * migrated template (scripts/with-pg-test-db.ts) and its per-file clones (test/store.ts), the
 * Playwright specs that run the broker as a child process, and the benchmarks.
 */

/** Where the tests may create databases (trust auth on this machine's server by default). */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops it even while connections are open (WITH FORCE): a killed broker's pool must not keep it alive. */
  drop(): Promise<void>;
}

/** A prefix the caller chose (not input); PostgreSQL cuts names at 63 bytes, so a long one would collide. */
const PREFIX = /^[a-z][a-z0-9_]{0,40}$/;

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function asAdmin<T>(adminUrl: string, fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Creates `<prefix>_<random hex>` on the server at adminUrl, empty or as a copy of `template`
 * (CREATE DATABASE … TEMPLATE: a file copy, much faster than migrating again).
 */
export async function createFreshDatabase(opts: {
  prefix: string;
  template?: string;
  adminUrl?: string;
}): Promise<FreshDatabase> {
  const adminUrl = opts.adminUrl ?? TEST_PG_ADMIN_URL;
  if (!PREFIX.test(opts.prefix)) throw new Error(`database name prefix must match ${PREFIX}: ${opts.prefix}`);
  const name = `${opts.prefix}_${randomBytes(5).toString("hex")}`;
  const template = opts.template;
  await asAdmin(adminUrl, (admin) =>
    template
      ? admin`create database ${admin(name)} template ${admin(template)}`
      : admin`create database ${admin(name)}`,
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => dropDatabases({ adminUrl, names: [name] }),
  };
}

/** Drops the named databases and, with `clonesOf`, every database whose name starts with that prefix. */
export async function dropDatabases(opts: { adminUrl?: string; names?: string[]; clonesOf?: string }): Promise<void> {
  await asAdmin(opts.adminUrl ?? TEST_PG_ADMIN_URL, async (admin) => {
    const names = [...(opts.names ?? [])];
    if (opts.clonesOf) {
      const rows = await admin<
        { datname: string }[]
      >`select datname from pg_database where starts_with(datname, ${opts.clonesOf})`;
      names.push(...rows.map((r) => r.datname));
    }
    for (const name of new Set(names)) await admin`drop database if exists ${admin(name)} with (force)`;
  });
}
