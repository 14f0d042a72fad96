import { readFileSync } from "node:fs";
import path from "node:path";
import { isNull, max, min, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { MIGRATIONS_DIR } from "@/db/client";
import { balances, outbox, syncCursors } from "@/db/schema";
import { eq } from "drizzle-orm";
import { SNAPSHOT_POLL_HEARTBEAT } from "./heartbeats";

/**
 * Readiness: may this instance take MixPay traffic? Each check says ok or not, with a short
 * detail meant for operators (ages and counts, never raw errors or connection strings).
 */
export interface Check {
  ok: boolean;
  detail: string;
  ageSeconds?: number;
}
export interface Readiness {
  ready: boolean;
  checks: Record<string, Check>;
}

export interface ReadinessOptions {
  now?: Date;
  maxBalanceSyncAgeSeconds: number;
  maxSnapshotPollAgeSeconds: number;
  maxOutboxAgeSeconds: number;
  /** Inngest: is it configured, and does its API answer? */
  inngest: () => Promise<Check>;
}

const age = (now: Date, t: Date | null | undefined) =>
  t ? Math.max(0, Math.round((now.getTime() - new Date(t).getTime()) / 1000)) : undefined;

async function guard(name: string, fn: () => Promise<Check>): Promise<Check> {
  try {
    return await fn();
  } catch {
    // The raw error may name hosts or users: the log of the caller has it, the answer does not.
    return { ok: false, detail: `${name} check failed` };
  }
}

function journalCount(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

export async function checkReadiness(db: Db, o: ReadinessOptions): Promise<Readiness> {
  const now = o.now ?? new Date();
  const database = await guard("database", async () => {
    await db.execute(sql`select 1`);
    return { ok: true, detail: "reachable" };
  });
  if (!database.ok) return { ready: false, checks: { database } };

  const checks: Record<string, Check> = { database };
  checks.migrations = await guard("migrations", async () => {
    const rows = await db.execute<{ n: number | string }>(
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: { n: number }[] }).rows) as {
      n: number | string;
    }[];
    const applied = Number(list[0]?.n ?? 0);
    const expected = journalCount();
    return { ok: applied >= expected, detail: `${applied} of ${expected} applied` };
  });
  checks.balanceSync = await guard("balance sync", async () => {
    const [r] = await db.select({ last: max(balances.syncedAt) }).from(balances);
    const a = age(now, r?.last);
    if (a === undefined) return { ok: false, detail: "balances never synced" };
    return {
      ok: a <= o.maxBalanceSyncAgeSeconds,
      ageSeconds: a,
      detail: `last sync ${a}s ago (limit ${o.maxBalanceSyncAgeSeconds}s)`,
    };
  });
  checks.snapshotPoll = await guard("snapshot poll", async () => {
    const [r] = await db
      .select({ at: syncCursors.updatedAt })
      .from(syncCursors)
      .where(eq(syncCursors.name, SNAPSHOT_POLL_HEARTBEAT));
    const a = age(now, r?.at);
    if (a === undefined) return { ok: false, detail: "snapshots never polled" };
    return {
      ok: a <= o.maxSnapshotPollAgeSeconds,
      ageSeconds: a,
      detail: `last poll ${a}s ago (limit ${o.maxSnapshotPollAgeSeconds}s)`,
    };
  });
  checks.outbox = await guard("outbox", async () => {
    const [r] = await db
      .select({ oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(isNull(outbox.sentAt));
    const a = age(now, r?.oldest);
    if (a === undefined) return { ok: true, ageSeconds: 0, detail: "nothing waiting" };
    return {
      ok: a <= o.maxOutboxAgeSeconds,
      ageSeconds: a,
      detail: `oldest unsent event ${a}s old (limit ${o.maxOutboxAgeSeconds}s)`,
    };
  });
  checks.inngest = await guard("inngest", o.inngest);
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

let inngestCache: { at: number; check: Check } | undefined;

/**
 * Inngest is configured (production: INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY; development:
 * INNGEST_DEV with a base URL) and its API answers at all (any HTTP status: it is up). Cached for
 * 10 s so a load balancer polling readiness does not hammer it.
 */
export async function checkInngest(source: Record<string, string | undefined> = process.env): Promise<Check> {
  if (inngestCache && Date.now() - inngestCache.at < 10_000) return inngestCache.check;
  const dev = Boolean(source.INNGEST_DEV && source.INNGEST_DEV !== "0");
  const base =
    source.INNGEST_BASE_URL ??
    source.INNGEST_API_BASE_URL ??
    (dev ? "http://127.0.0.1:8288" : "https://api.inngest.com");
  let check: Check;
  if (!dev && !(source.INNGEST_SIGNING_KEY && source.INNGEST_EVENT_KEY)) {
    check = {
      ok: false,
      detail: "not configured (INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY, or INNGEST_DEV with INNGEST_BASE_URL)",
    };
  } else {
    try {
      await fetch(base, { method: "GET", signal: AbortSignal.timeout(2_000), redirect: "manual" });
      check = { ok: true, detail: dev ? "development server reachable" : "reachable" };
    } catch {
      check = { ok: false, detail: "configured but not reachable" };
    }
  }
  inngestCache = { at: Date.now(), check };
  return check;
}

/** For tests. */
export function resetInngestCache(): void {
  inngestCache = undefined;
}
