import { and, desc, eq, ilike, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { payeeAccessEntries, payeeAccessPolicy } from "@/db/schema";
import { writeAudit, type Actor } from "@/server/console/audit";

/** Operators read and change who may use the broker: the access mode and the allow/block lists (audited). */
export async function getAccess(db: Db, search?: string) {
  const [policy] = await db.select().from(payeeAccessPolicy).where(eq(payeeAccessPolicy.id, "default"));
  const entries = await db
    .select()
    .from(payeeAccessEntries)
    .where(search ? ilike(sql`${payeeAccessEntries.payeeId}::text`, `%${search.replace(/[%_]/g, "")}%`) : undefined)
    .orderBy(desc(payeeAccessEntries.createdAt))
    .limit(500);
  return { mode: policy?.mode ?? "open", entries };
}

export async function setAccessMode(db: Db, actor: Actor, mode: "open" | "allow_list") {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(payeeAccessPolicy).where(eq(payeeAccessPolicy.id, "default"));
    await tx
      .insert(payeeAccessPolicy)
      .values({ id: "default", mode })
      .onConflictDoUpdate({ target: payeeAccessPolicy.id, set: { mode, updatedAt: new Date() } });
    await writeAudit(tx, actor, {
      action: "access.mode",
      targetType: "access_policy",
      targetId: "default",
      before: before ?? null,
      after: { mode },
    });
  });
}

export async function setAccessEntry(
  db: Db,
  actor: Actor,
  input: { payeeId: string; list: "allow" | "block"; present: boolean; note?: string },
) {
  return db.transaction(async (tx) => {
    if (input.present) {
      await tx
        .insert(payeeAccessEntries)
        .values({ payeeId: input.payeeId, list: input.list, note: input.note ?? "" })
        .onConflictDoNothing();
    } else {
      await tx
        .delete(payeeAccessEntries)
        .where(and(eq(payeeAccessEntries.payeeId, input.payeeId), eq(payeeAccessEntries.list, input.list)));
    }
    await writeAudit(tx, actor, {
      action: input.present ? `access.${input.list}.add` : `access.${input.list}.remove`,
      targetType: "payee",
      targetId: input.payeeId,
      after: input,
    });
  });
}
