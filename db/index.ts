import "server-only";
import { env } from "@/server/env";
import { openDb, type Db, type DbHandle } from "./client";
import { seedDemoData } from "./seed";

export type { Db, DbOrTx, Tx } from "./client";

/**
 * The process-wide store. It lives on globalThis because Next.js evaluates route handlers,
 * instrumentation and server components in separate module graphs of one process, and PGlite
 * must be opened exactly once per data directory.
 */
interface StoreState {
  handle: DbHandle;
  ready: Promise<void>;
}
const KEY = Symbol.for("mixpay-broker.store");
type GlobalWithStore = typeof globalThis & { [KEY]?: StoreState };

function state(): StoreState {
  const g = globalThis as GlobalWithStore;
  if (!g[KEY]) {
    const e = env();
    const handle = openDb({
      databaseUrl: e.DATABASE_URL,
      pgliteDataDir: e.PGLITE_DATA_DIR,
      poolSize: e.DATABASE_POOL_SIZE,
    });
    const ready = (async () => {
      await handle.migrate();
      if (e.seedDemoData) await seedDemoData(handle.db);
    })();
    g[KEY] = { handle, ready };
    // A store that failed to open (PostgreSQL down, a migration refused) is forgotten, so the next
    // call opens it again instead of every request failing on the same rejected promise forever.
    ready.catch(() => {
      if (g[KEY]?.ready === ready) g[KEY] = undefined;
      void handle.close().catch(() => {});
    });
  }
  return g[KEY];
}

/** The store, migrated (and seeded on the embedded default) before first use. */
export async function getDb(): Promise<Db> {
  const s = state();
  await s.ready;
  return s.handle.db;
}

/** Use an already-open handle as the process store (tests, scripts). */
export function installStore(handle: DbHandle): void {
  (globalThis as GlobalWithStore)[KEY] = { handle, ready: Promise.resolve() };
}

export async function closeStore(): Promise<void> {
  const g = globalThis as GlobalWithStore;
  const s = g[KEY];
  g[KEY] = undefined;
  if (s) await s.handle.close();
}
