import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";
import { isAppError } from "@/server/errors";
import { transitionOrder } from "./transition-order";

/**
 * Orders nobody paid by expired_at become `expired`, which releases their reservation (the
 * reservation sum already ignores them once expired_at has passed; this makes it visible).
 * A payment that still arrives later turns the order `paid_late` and is refunded.
 */
export async function expireDueOrders(db: Db, now = new Date(), limit = 500): Promise<{ expired: string[] }> {
  const due = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.status, "created"), lte(orders.expiredAt, now)))
    .orderBy(asc(orders.expiredAt))
    .limit(limit);
  const expired: string[] = [];
  for (const { id } of due) {
    try {
      const r = await transitionOrder(db, {
        orderId: id,
        from: "created",
        to: "expired",
        actor: "system:expire-orders",
        message: "not paid by expired_at",
      });
      if (r.changed) expired.push(id);
    } catch (e) {
      // Paid or cancelled meanwhile: the other change won, which is fine.
      if (!isAppError(e)) throw e;
    }
  }
  return { expired };
}
