import type { DbOrTx } from "@/db/client";
import { syncCursors } from "@/db/schema";

/**
 * The snapshot cursor only moves when snapshots arrive, so a quiet bot would look stalled:
 * every finished poll also stamps this row, and readiness reads its age.
 */
export const SNAPSHOT_POLL_HEARTBEAT = "mixin-snapshots.polled";

export async function markSnapshotsPolled(db: DbOrTx, now = new Date()): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ name: SNAPSHOT_POLL_HEARTBEAT, value: now.toISOString(), updatedAt: now })
    .onConflictDoUpdate({ target: syncCursors.name, set: { value: now.toISOString(), updatedAt: now } });
}
