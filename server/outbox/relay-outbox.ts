import { asc, eq, inArray, isNull, sql } from "drizzle-orm";
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
 */
export async function relayOutbox(
  db: Db,
  send: (events: OutgoingEvent[]) => Promise<void>,
  limit = 100,
): Promise<{ sent: number; failed: number }> {
  const rows = await db.select().from(outbox).where(isNull(outbox.sentAt)).orderBy(asc(outbox.createdAt)).limit(limit);
  if (rows.length === 0) return { sent: 0, failed: 0 };
  try {
    await send(rows.map((r) => ({ id: r.id, name: r.name, data: r.data })));
  } catch (e) {
    await db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: (e as Error).message.slice(0, 500) })
      .where(inArray(outbox.id, rows.map((r) => r.id)));
    return { sent: 0, failed: rows.length };
  }
  await db
    .update(outbox)
    .set({ sentAt: new Date(), attempts: sql`${outbox.attempts} + 1`, lastError: null })
    .where(inArray(outbox.id, rows.map((r) => r.id)));
  return { sent: rows.length, failed: 0 };
}

export async function markOutboxSent(db: Db, id: string): Promise<void> {
  await db.update(outbox).set({ sentAt: new Date() }).where(eq(outbox.id, id));
}
