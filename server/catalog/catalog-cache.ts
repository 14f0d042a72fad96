import { asc, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { assets, payeeAccessEntries, payeeAccessPolicy, wallets } from "@/db/schema";
import { rowsOf } from "@/server/orders/reservations";

export type AssetRow = typeof assets.$inferSelect;
export type WalletRow = typeof wallets.$inferSelect;

/**
 * What the MixPay hot path reads that operators change rarely — wallets, assets (with their synced
 * prices), the payee access policy — held per process and per database handle.
 *
 * Freshness without a staleness window: migration 0011 gives every change to those tables a new
 * `catalog_version` (a trigger, in the changing transaction). The hot path reads the version
 * inside a statement it runs anyway (assets/range: the balances read; create_order: the
 * rate-limit upsert) and passes it here; a different version reloads the catalog before it is
 * used. So an answer never uses a catalog older than the request's first statement, on any
 * instance, and there is no notification channel to lose. Balances and reservations are NOT
 * cached: the reservation is the conditional UPDATE of the balance row (reserve-order.ts).
 * The price sync changes assets every ~10 s, so each process reloads (5 small queries) about as often.
 */
export interface Catalog {
  /** catalog_version when loaded; null when the stamp row is missing (then nothing is cached). */
  version: string | null;
  wallets: Map<string, WalletRow>;
  assets: Map<string, AssetRow>;
  /** Enabled assets in the database's order of symbol (the answer's order). */
  enabledAssets: AssetRow[];
  accessMode: "open" | "allow_list";
  /** Lists each payee is on. */
  accessLists: Map<string, Set<"allow" | "block">>;
}

/** A SQL expression for the current stamp, to embed in a statement the caller runs anyway. */
export const CATALOG_VERSION = sql`(select version::text from catalog_version where id = 1)`;

interface CacheState {
  catalog?: Catalog;
  loading?: Promise<Catalog>;
  loads: number;
}
const caches = new WeakMap<object, CacheState>();

function stateOf(db: DbOrTx): CacheState {
  let s = caches.get(db);
  if (!s) caches.set(db, (s = { loads: 0 }));
  return s;
}

/**
 * The catalog as of `seenVersion` (read by the caller inside its own statement): the cached one
 * when its version matches, else a fresh load. Concurrent callers share one load.
 */
export async function catalogAt(db: DbOrTx, seenVersion: string | null): Promise<Catalog> {
  const s = stateOf(db);
  if (seenVersion !== null && s.catalog?.version === seenVersion) return s.catalog;
  if (s.loading) {
    const shared = await s.loading;
    // A load that began before the change may carry the old version: load again then.
    if (seenVersion !== null && shared.version === seenVersion) return shared;
  }
  return load(db, s);
}

/** The current catalog when the caller has no statement to carry the version: one small query. */
export async function currentCatalog(db: DbOrTx): Promise<Catalog> {
  const [row] = rowsOf<{ v: string | null }>(await db.execute(sql`select ${CATALOG_VERSION} as v`));
  return catalogAt(db, row?.v ?? null);
}

/** How many times this handle's catalog was loaded (tests and metrics). */
export function catalogLoads(db: DbOrTx): number {
  return caches.get(db)?.loads ?? 0;
}

async function load(db: DbOrTx, s: CacheState): Promise<Catalog> {
  const loading = readCatalog(db);
  s.loading = loading;
  try {
    const c = await loading;
    s.loads++;
    // Two overlapping loads may finish out of order and leave the older one cached: harmless, as
    // every use compares the cached version with the one its own statement read. An unversioned
    // read (the stamp row is missing) is never cached.
    s.catalog = c.version !== null ? c : undefined;
    return c;
  } finally {
    if (s.loading === loading) s.loading = undefined;
  }
}

async function readCatalog(db: DbOrTx): Promise<Catalog> {
  // The version first: a change committed while the tables are read makes the stored version
  // older than the data, which costs one more reload, never a stale answer.
  const [v] = rowsOf<{ v: string | null }>(await db.execute(sql`select ${CATALOG_VERSION} as v`));
  const [walletRows, assetRows, policy, entries] = await Promise.all([
    db.select().from(wallets),
    db.select().from(assets).orderBy(asc(assets.symbol)),
    db.select({ id: payeeAccessPolicy.id, mode: payeeAccessPolicy.mode }).from(payeeAccessPolicy),
    db.select({ payeeId: payeeAccessEntries.payeeId, list: payeeAccessEntries.list }).from(payeeAccessEntries),
  ]);
  const accessLists = new Map<string, Set<"allow" | "block">>();
  for (const e of entries) {
    const lists = accessLists.get(e.payeeId) ?? new Set();
    lists.add(e.list);
    accessLists.set(e.payeeId, lists);
  }
  return {
    version: v?.v ?? null,
    wallets: new Map(walletRows.map((w) => [w.name, w])),
    assets: new Map(assetRows.map((a) => [a.assetId, a])),
    enabledAssets: assetRows.filter((a) => a.enabled),
    accessMode: policy.find((p) => p.id === "default")?.mode ?? "open",
    accessLists,
  };
}
