import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { syncCursors } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import type { MixPayResultApi } from "@/server/settlement/ports";
import { pollSnapshots, type PollResult, type SnapshotSource } from "./poll-snapshots";
import { SNAPSHOT_CURSOR } from "./process-snapshots";

const FAILURES = `${SNAPSHOT_CURSOR}:failures`;
const CAUGHT_UP_AT = `${SNAPSHOT_CURSOR}:caught-up-at`;

export interface WatchSettings {
  /** Alert when this many passes in a row failed (SNAPSHOT_WATCH_FAILURE_ALERT_AFTER). */
  failureAlertAfter: number;
  /** Alert when the watcher has not read up to the present for this long (SNAPSHOT_WATCH_LAG_ALERT_SECONDS). */
  lagAlertMs: number;
  now?: Date;
}

/**
 * One pass of the snapshot watcher with its health kept in sync_cursors: consecutive failures,
 * and when it last read everything there was. A watcher that keeps failing, or that has not
 * caught up for `lagAlertMs` (a backlog, or a failure loop), is a silent stop of MixPay refunds:
 * both raise a critical alert. The pass's own error is re-thrown for the caller's retry.
 */
export async function watchSnapshotsOnce(
  db: Db,
  source: SnapshotSource,
  mixpay: MixPayResultApi | undefined,
  s: WatchSettings,
): Promise<PollResult> {
  const now = s.now ?? new Date();
  const caughtUpAt = await readValue(db, CAUGHT_UP_AT);
  if (!caughtUpAt) await writeValue(db, CAUGHT_UP_AT, now.toISOString());
  try {
    const r = await pollSnapshots(db, source, { mixpay });
    await writeValue(db, FAILURES, "0");
    if (!r.more) await writeValue(db, CAUGHT_UP_AT, now.toISOString());
    else await checkLag(db, caughtUpAt, now, s, "a backlog of snapshots remains");
    return r;
  } catch (e) {
    const failures = Number((await readValue(db, FAILURES)) ?? "0") + 1;
    await writeValue(db, FAILURES, String(failures));
    const message = (e as Error).message;
    if (failures >= s.failureAlertAfter) {
      await raiseAlert(db, {
        kind: "snapshot_watch_failing",
        dedupeKey: "snapshot_watch_failing",
        severity: "critical",
        message: `The Mixin snapshot watcher failed ${failures} times in a row (last: ${message}). MixPay refunds are not being applied.`,
        data: { failures, error: message },
      });
    }
    await checkLag(db, caughtUpAt, now, s, message);
    throw e;
  }
}

async function checkLag(
  db: Db,
  caughtUpAt: string | undefined,
  now: Date,
  s: WatchSettings,
  why: string,
): Promise<void> {
  if (!caughtUpAt) return;
  const behindMs = now.getTime() - Date.parse(caughtUpAt);
  if (behindMs <= s.lagAlertMs) return;
  await raiseAlert(db, {
    kind: "snapshot_watch_behind",
    dedupeKey: "snapshot_watch_behind",
    severity: "critical",
    message: `The Mixin snapshot watcher has not caught up for ${Math.round(behindMs / 1000)} s (${why}). MixPay refunds may be waiting.`,
    data: { caughtUpAt, behindMs },
  });
}

async function readValue(db: Db, name: string): Promise<string | undefined> {
  const [row] = await db.select().from(syncCursors).where(eq(syncCursors.name, name));
  return row?.value;
}

async function writeValue(db: Db, name: string, value: string): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ name, value })
    .onConflictDoUpdate({ target: syncCursors.name, set: { value, updatedAt: new Date() } });
}
