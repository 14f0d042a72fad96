import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { mixinSnapshots } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import type { MixPayResultApi } from "@/server/settlement/ports";
import { askMixPayAboutRefunds } from "./authenticate-refund";
import { markSnapshotsPolled } from "@/server/health/heartbeats";
import {
  processSnapshots,
  readSnapshotCursor,
  writeSnapshotCursor,
  type IncomingSnapshot,
  type SnapshotOutcome,
} from "./process-snapshots";

export interface SnapshotSource {
  /** The bot's snapshots after `offset` (ascending by created_at), and the offset to continue from. */
  readSnapshots(
    offset: string | undefined,
    limit: number,
  ): Promise<{ snapshots: IncomingSnapshot[]; nextOffset: string | undefined }>;
}

export interface PollResult {
  read: number;
  outcomes: Partial<Record<SnapshotOutcome, number>>;
  cursor: string | undefined;
  /** True when the pass stopped at maxPages with more to read (the watcher is behind). */
  more: boolean;
}

/**
 * Read the bot's new snapshots and apply each exactly once (processSnapshots is keyed by
 * snapshot_id, so re-reading is harmless); the cursor moves only after a page is applied.
 *
 * Ties: Mixin pages by created_at, and several snapshots may share one. A page may end in the
 * middle of such a group, so the next read starts just before the page's last created_at (the
 * boundary is read again and deduplicated by snapshot_id) — whether Mixin's offset is exclusive
 * or inclusive, nothing at the boundary is skipped. A full page made of one single timestamp
 * cannot make progress that way; it steps past it and alerts.
 *
 * RF memos are checked with MixPay's payment-result API before the page's transaction (see
 * authenticate-refund.ts). Stops after `maxPages` so one pass stays short.
 */
export async function pollSnapshots(
  db: Db,
  source: SnapshotSource,
  opts: { pageSize?: number; maxPages?: number; mixpay?: MixPayResultApi } = {},
): Promise<PollResult> {
  const pageSize = opts.pageSize ?? 500;
  const maxPages = opts.maxPages ?? 20;
  let cursor = await readSnapshotCursor(db);
  const outcomes: Partial<Record<SnapshotOutcome, number>> = {};
  let read = 0;
  let more = false;
  for (let page = 0; page < maxPages; page++) {
    const { snapshots } = await source.readSnapshots(cursor, pageSize);
    const verdicts = await askMixPayAboutRefunds(db, await notYetRecorded(db, snapshots), opts.mixpay);
    for (const outcome of await processSnapshots(db, snapshots, verdicts))
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    read += snapshots.length;
    if (snapshots.length === 0) break;
    const first = snapshots[0]!.createdAt;
    const last = snapshots[snapshots.length - 1]!.createdAt;
    const full = snapshots.length >= pageSize;
    let next = justBefore(last);
    if (full && first === last) {
      next = last;
      await raiseAlert(db, {
        kind: "snapshot_timestamp_overflow",
        dedupeKey: `snapshot_timestamp_overflow:${last}`,
        severity: "critical",
        message: `More than ${pageSize} Mixin snapshots share created_at ${last}; the watcher stepped past that instant and may have missed some of them. Compare the bot's snapshots at that time with the console.`,
      });
    }
    if (next !== cursor) {
      cursor = next;
      await writeSnapshotCursor(db, cursor);
    }
    if (!full) break;
    more = page === maxPages - 1;
  }
  // Readiness watches this: a poll that completes is alive even when no snapshot arrived.
  await markSnapshotsPolled(db);
  return { read, outcomes, cursor, more };
}

/** Snapshots of the list not yet in the store (a re-read boundary asks MixPay nothing again). */
async function notYetRecorded(db: Db, list: IncomingSnapshot[]): Promise<IncomingSnapshot[]> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const ids = list.filter((s) => s.refund && uuid.test(s.snapshotId)).map((s) => s.snapshotId);
  if (ids.length === 0) return [];
  const seen = new Set(
    (
      await db
        .select({ id: mixinSnapshots.snapshotId })
        .from(mixinSnapshots)
        .where(inArray(mixinSnapshots.snapshotId, ids))
    ).map((r) => r.id),
  );
  return list.filter((s) => s.refund && !seen.has(s.snapshotId));
}

/** An RFC3339 time one nanosecond earlier, in Mixin's form (UTC, nine fractional digits). */
export function justBefore(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return ts;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return ts;
  const nanos = BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0")) - 1n;
  const whole = nanos / 1_000_000_000n;
  const frac = nanos % 1_000_000_000n;
  return `${new Date(Number(whole) * 1000).toISOString().slice(0, 19)}.${String(frac).padStart(9, "0")}Z`;
}
