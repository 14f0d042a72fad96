import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { outbox } from "@/db/schema";

export interface OutgoingEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

/**
 * Deliver outbox rows that were never acknowledged. Each event keeps the deterministic id it was
 * written with, so a re-send after a crash is deduplicated by the receiver (Inngest keeps event
 * ids for 24 h) and every function it starts is idempotent anyway.
 *
 * Several broker instances relay at once (each dispatches after its own commits, and the cron
 * relay runs on whichever instance Inngest calls): rows are first claimed for CLAIM_SECONDS with
 * one UPDATE … FOR UPDATE SKIP LOCKED, so two relays never send the same row; a relay that dies
 * mid-send leaves a claim that expires, and the row is sent again later (same id).
 */
export const CLAIM_SECONDS = 60;

export async function relayOutbox(
  db: Db,
  send: (events: OutgoingEvent[]) => Promise<void>,
  limit = 100,
): Promise<{ sent: number; failed: number }> {
  const claimed = await db
    .update(outbox)
    .set({ claimedUntil: sql`now() + ${CLAIM_SECONDS} * interval '1 second'` })
    .where(
      inArray(
        outbox.id,
        sql`(select ${outbox.id} from ${outbox} where ${outbox.sentAt} is null and (${outbox.claimedUntil} is null or ${outbox.claimedUntil} < now())
          order by ${outbox.createdAt} limit ${limit} for update skip locked)`,
      ),
    )
    .returning();
  if (claimed.length === 0) return { sent: 0, failed: 0 };
  const rows = claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  try {
    await send(rows.map((r) => ({ id: r.id, name: r.name, data: r.data })));
  } catch (e) {
    await db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: (e as Error).message.slice(0, 500), claimedUntil: null })
      .where(
        inArray(
          outbox.id,
          rows.map((r) => r.id),
        ),
      );
    return { sent: 0, failed: rows.length };
  }
  await db
    .update(outbox)
    .set({ sentAt: new Date(), attempts: sql`${outbox.attempts} + 1`, lastError: null, claimedUntil: null })
    .where(
      inArray(
        outbox.id,
        rows.map((r) => r.id),
      ),
    );
  return { sent: rows.length, failed: 0 };
}

export async function markOutboxSent(db: Db, id: string): Promise<void> {
  await db.update(outbox).set({ sentAt: new Date() }).where(eq(outbox.id, id));
}
