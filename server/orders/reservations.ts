import { and, eq, gt, inArray, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { balances, orders } from "@/db/schema";
import { dec, type Money } from "@/server/money";
import { RESERVING_STATUSES } from "./state-machine";

/**
 * What the Mixin bot's balance must still cover: orders whose amount MixPay is owed or may soon
 * be owed — created and not yet expired, paid, settling, or settlement failed (still owed).
 */
export function reservingCondition(now: Date) {
  return or(
    inArray(orders.status, [...RESERVING_STATUSES]),
    and(eq(orders.status, "created"), gt(orders.expiredAt, now)),
  );
}

export async function reservedAmounts(db: DbOrTx, now: Date): Promise<Map<string, Money>> {
  const rows = await db
    .select({ assetId: orders.assetId, total: sql<string>`coalesce(sum(${orders.amount}), 0)::text` })
    .from(orders)
    .where(reservingCondition(now))
    .groupBy(orders.assetId);
  return new Map(rows.map((r) => [r.assetId, dec(r.total)]));
}

export async function reservedAmount(db: DbOrTx, assetId: string, now: Date): Promise<Money> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${orders.amount}), 0)::text` })
    .from(orders)
    .where(and(eq(orders.assetId, assetId), reservingCondition(now)));
  return dec(row?.total ?? "0");
}

export interface Availability {
  balance: Money;
  reserved: Money;
  available: Money;
  syncedAt: Date | null;
}

/** Balance minus reservations for every asset with a balance row (never below zero). */
export async function availableBalances(db: DbOrTx, now: Date): Promise<Map<string, Availability>> {
  const [rows, reserved] = await Promise.all([db.select().from(balances), reservedAmounts(db, now)]);
  const out = new Map<string, Availability>();
  for (const b of rows) {
    const r = reserved.get(b.assetId) ?? dec("0");
    const available = dec(b.balance).minus(r);
    out.set(b.assetId, { balance: dec(b.balance), reserved: r, available: available.isNegative() ? dec("0") : available, syncedAt: b.syncedAt });
  }
  return out;
}
