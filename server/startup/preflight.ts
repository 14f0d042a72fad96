import { inArray } from "drizzle-orm";
import postgres from "postgres";
import { openDb } from "@/db/client";
import { users } from "@/db/schema";
import { DEMO_USERS } from "@/db/seed-users";
import { inUnsafeTestMode } from "@/server/config/production-refusals";
import type { Env } from "@/server/env";
import { keystoreFromEnv } from "@/server/mixin/keystore";

/** A reason the broker cannot start; scripts/serve.ts prints it and exits non-zero. */
export class StartupError extends Error {}

type Log = (message: string) => void;

/**
 * What must hold before the broker serves a request, checked before Next starts so a failure is an
 * exit with the reason (never a server answering 500 to everything):
 *  - the Mixin keystore parses (the SDK would otherwise sign with garbage);
 *  - PostgreSQL answers — retried with backoff for STARTUP_DB_WAIT_SECONDS, so a broker started
 *    beside its database waits for it, then gives up loudly;
 *  - the migrations apply (under PostgreSQL's advisory lock: several instances may start together);
 *  - in production, the demo users (published passwords) are not in the store.
 * An in-memory PGlite store is skipped: it would be a different store from the one Next opens.
 */
export async function preflight(
  e: Env,
  source: Record<string, string | undefined> = process.env,
  log: Log = console.log,
): Promise<void> {
  try {
    keystoreFromEnv(source);
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  if (e.DATABASE_URL) await waitForPostgres(e.DATABASE_URL, e.STARTUP_DB_WAIT_SECONDS * 1000, log);
  const production = e.NODE_ENV === "production";
  const onDisk = !e.DATABASE_URL && e.PGLITE_DATA_DIR !== "memory://" && e.PGLITE_DATA_DIR !== "";
  if (!e.DATABASE_URL && !(production && onDisk)) return;

  const handle = openDb({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, poolSize: 1 });
  try {
    try {
      await handle.migrate();
    } catch (err) {
      throw new StartupError(`the store's migrations failed: ${(err as Error).message}`);
    }
    if (production && !inUnsafeTestMode(source)) await refuseDemoUsers(handle.db);
  } finally {
    await handle.close();
  }
}

/** The demo console users have passwords printed in the README: a production store must not hold them. */
export async function refuseDemoUsers(db: ReturnType<typeof openDb>["db"]): Promise<void> {
  const emails = [DEMO_USERS.operator.email, DEMO_USERS.merchant.email];
  const found = await db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
  if (found.length === 0) return;
  const list = found.map((u) => u.email).join(", ");
  throw new StartupError(
    `the demo users ${list} exist in this database, and their passwords are published in the README. ` +
      `Delete them before starting in production: delete from users where email in (${emails.map((m) => `'${m}'`).join(", ")});`,
  );
}

/** PostgreSQL errors that no amount of waiting fixes (bad password, no such database or role). */
const PERMANENT = new Set(["28P01", "28000", "3D000", "42501"]);

export async function waitForPostgres(url: string, waitMs: number, log: Log = console.log): Promise<void> {
  const where = describeUrl(url);
  const started = Date.now();
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    const sql = postgres(url, { max: 1, connect_timeout: 5, idle_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      if (attempt > 1) log(`PostgreSQL at ${where} answered (attempt ${attempt})`);
      return;
    } catch (err) {
      const e = err as Error & { code?: string };
      const elapsed = Date.now() - started;
      if ((e.code && PERMANENT.has(e.code)) || elapsed + delay > waitMs) {
        throw new StartupError(
          `PostgreSQL at ${where} is unreachable after ${attempt} attempt(s) over ${Math.round(elapsed / 1000)} s: ${e.message}${e.code ? ` (${e.code})` : ""}`,
        );
      }
      log(`PostgreSQL at ${where} is not answering (${e.message}); retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }
}

/** host:port/database, never the password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
