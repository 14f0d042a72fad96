import type { Db } from "@/db/client";
import { markSnapshotsPolled } from "@/server/health/heartbeats";
import { processSnapshots, readSnapshotCursor, writeSnapshotCursor, type IncomingSnapshot, type SnapshotOutcome } from "./process-snapshots";

export interface SnapshotSource {
  /** The bot's snapshots after `offset` (ascending by created_at), and the offset to continue from. */
  readSnapshots(offset: string | undefined, limit: number): Promise<{ snapshots: IncomingSnapshot[]; nextOffset: string | undefined }>;
}

export interface PollResult {
  read: number;
  outcomes: Partial<Record<SnapshotOutcome, number>>;
  cursor: string | undefined;
}

/**
 * Read the bot's new snapshots and apply each exactly once (processSnapshots is keyed by
 * snapshot_id and applies a page in one transaction, so re-reading a page after a crash is
 * harmless); the cursor moves only after a page is applied. Stops after `maxPages` so one pass stays short.
 */
export async function pollSnapshots(db: Db, source: SnapshotSource, opts: { pageSize?: number; maxPages?: number } = {}): Promise<PollResult> {
  const pageSize = opts.pageSize ?? 500;
  const maxPages = opts.maxPages ?? 20;
  let cursor = await readSnapshotCursor(db);
  const outcomes: Partial<Record<SnapshotOutcome, number>> = {};
  let read = 0;
  for (let page = 0; page < maxPages; page++) {
    const { snapshots, nextOffset } = await source.readSnapshots(cursor, pageSize);
    for (const outcome of await processSnapshots(db, snapshots)) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    read += snapshots.length;
    if (nextOffset && nextOffset !== cursor) {
      cursor = nextOffset;
      await writeSnapshotCursor(db, cursor);
    }
    if (snapshots.length < pageSize) break;
  }
  // Readiness watches this: a poll that completes is alive even when no snapshot arrived.
  await markSnapshotsPolled(db);
  return { read, outcomes, cursor };
}
