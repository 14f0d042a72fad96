import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { balances, reservationHolds } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { dec, type Money } from "@/server/money";
import { reservationEffect } from "./state-machine";

/**
 * Reservations are a counter per asset (`balances.reserved`), not a sum over orders: create_order
 * checks and reserves with one conditional UPDATE of the asset's balance row, whatever the number
 * of open orders (issue 14). The counter holds:
 *   Σ amount of the asset's orders in COUNTED_STATUSES (created, paid, settling, settlement_failed)
 * + Σ amount of its reservation holds (transfers that may have left the bot since the last sync).
 * Every change runs in the transaction that changes the order's status (transitionOrder, and
 * createOrder for the initial `created`); check-reservations compares it with the orders.
 */

/** Add (or, negative, remove) an amount to an asset's reserved counter. */
export async function adjustReserved(tx: DbOrTx, assetId: string, delta: Money | string): Promise<void> {
  await tx
    .update(balances)
    .set({ reserved: sql`${balances.reserved} + ${dec(delta).toFixed()}::numeric` })
    .where(eq(balances.assetId, assetId));
}

/**
 * Apply what a status change does to the counter (see reservationEffect). Called by transitionOrder
 * inside its transaction, for every transition, so a new transition (an operator cancel, say) keeps
 * the counter right without knowing about it.
 */
export async function applyReservationEffect(
  tx: DbOrTx,
  order: { id: string; assetId: string; amount: string },
  from: OrderStatus,
  to: OrderStatus,
): Promise<void> {
  const effect = reservationEffect(from, to);
  if (effect === "reserve") await adjustReserved(tx, order.assetId, order.amount);
  if (effect === "release") await adjustReserved(tx, order.assetId, dec(order.amount).neg());
  if (effect === "hold") {
    // held_at = now(): the transaction began after the transfer was seen sent (the order leaves
    // settling only once Mixin shows it spent), so a sync that began later sees the money gone.
    const held = await tx
      .insert(reservationHolds)
      .values({ orderId: order.id, assetId: order.assetId, amount: order.amount, heldAt: sql`now()` })
      .onConflictDoNothing()
      .returning({ orderId: reservationHolds.orderId });
    // Already held (cannot happen through the state machine): never count the amount twice.
    if (held.length === 0) await adjustReserved(tx, order.assetId, dec(order.amount).neg());
  }
}

/**
 * Part of a balance sync, in the transaction that stores the balances read from Mixin after
 * `syncStartedAt` (database clock): the holds placed before that instant are reflected in the new
 * balance, so their amounts leave the counter.
 */
export async function releaseHoldsBefore(tx: DbOrTx, syncStartedAt: Date): Promise<number> {
  const rows = await tx.execute(sql`
    with released as (
      delete from ${reservationHolds} where ${reservationHolds.heldAt} < ${syncStartedAt.toISOString()}::timestamptz
      returning ${reservationHolds.assetId} as asset_id, ${reservationHolds.amount} as amount
    ), per_asset as (
      select asset_id, sum(amount) as total, count(*)::int as n from released group by asset_id
    ), upd as (
      update ${balances} b set reserved = b.reserved - per_asset.total
      from per_asset where b.asset_id = per_asset.asset_id
      returning 1
    )
    select coalesce(sum(n), 0)::int as n from per_asset`);
  return Number(rowsOf<{ n: number }>(rows)[0]?.n ?? 0);
}

export interface Availability {
  balance: Money;
  reserved: Money;
  available: Money;
  syncedAt: Date | null;
}

/** Balance minus reservations for every asset with a balance row (never below zero): one query. */
export async function availableBalances(db: DbOrTx): Promise<Map<string, Availability>> {
  const rows = await db.select().from(balances);
  const out = new Map<string, Availability>();
  for (const b of rows) {
    const available = dec(b.balance).minus(dec(b.reserved));
    out.set(b.assetId, {
      balance: dec(b.balance),
      reserved: dec(b.reserved),
      available: available.isNegative() ? dec("0") : available,
      syncedAt: b.syncedAt,
    });
  }
  return out;
}

/** postgres.js returns the rows array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
