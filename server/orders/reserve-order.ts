import { getTableColumns, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { balances, orderEvents, orders } from "@/db/schema";
import { dec } from "@/server/money";
import { rowsOf } from "./reservations";
import type { Order } from "./transition-order";

export type NewOrderValues = Pick<
  typeof orders.$inferInsert,
  | "traceId"
  | "payeeId"
  | "wallet"
  | "assetId"
  | "amount"
  | "feeRate"
  | "fee"
  | "payAmount"
  | "memo"
  | "expiredAt"
  | "returnUrl"
  | "opponentId"
  | "requestHash"
  | "walletProvider"
> & { createdAt: Date };

export interface CreatedEvent {
  actor: string;
  message: string;
  data: Record<string, unknown>;
}

export type ReserveOutcome =
  | { ok: true; order: Order; available: string }
  | {
      ok: false;
      reason: "insufficient_balance" | "balance_stale";
      balance: string;
      reserved: string;
      syncedAt: Date | null;
      existingOrderId: string | null;
    };

/**
 * create_order's check-and-reserve, in ONE statement whatever the number of open orders:
 *   1. UPDATE the asset's balance row: reserved += amount, only if balance − reserved ≥ amount and
 *      the balance was synced at most `maxSyncAgeSeconds` ago (row lock: reservations of an asset
 *      are serialised, exactly as before, without summing orders);
 *   2. INSERT the order from that row (none when the UPDATE matched nothing);
 *   3. INSERT its order.created timeline event.
 * A statement is atomic: a duplicate trace_id (unique violation) undoes the reservation too.
 * When nothing was reserved, a second read (the slow path only) says why, and whether the
 * trace_id already has an order (a repeat is answered with its links, not with 11002).
 */
export async function reserveAndInsertOrder(
  db: DbOrTx,
  v: NewOrderValues,
  ev: CreatedEvent,
  maxSyncAgeSeconds: number,
): Promise<ReserveOutcome> {
  const amount = dec(v.amount).toFixed();
  const created = v.createdAt.toISOString();
  const result = await db.execute(sql`
    with r as (
      update ${balances} set reserved = reserved + ${amount}::numeric, updated_at = now()
      where asset_id = ${v.assetId}::uuid
        and balance - reserved >= ${amount}::numeric
        and synced_at >= now() - make_interval(secs => ${maxSyncAgeSeconds})
      returning balance, reserved
    ), o as (
      insert into ${orders} (trace_id, payee_id, wallet, asset_id, amount, fee_rate, fee, pay_amount, memo, expired_at,
                             return_url, opponent_id, request_hash, wallet_provider, created_at, updated_at)
      select ${v.traceId}::uuid, ${v.payeeId}::uuid, ${v.wallet}, ${v.assetId}::uuid, ${amount}::numeric, ${v.feeRate}::numeric,
             ${v.fee}::numeric, ${v.payAmount}::numeric, ${v.memo}, ${v.expiredAt.toISOString()}::timestamptz, ${v.returnUrl},
             ${v.opponentId}::uuid, ${v.requestHash}, ${v.walletProvider}, ${created}::timestamptz, ${created}::timestamptz
      from r
      returning *
    ), e as (
      insert into ${orderEvents} (order_id, type, to_status, actor, message, data)
      select o.id, 'order.created', 'created', ${ev.actor}, ${ev.message},
             ${JSON.stringify(ev.data)}::jsonb || jsonb_build_object('available', (r.balance - r.reserved + ${amount}::numeric)::text)
      from o, r
    )
    select o.*, (r.balance - r.reserved + ${amount}::numeric)::text as available_before from o, r`);
  const [row] = rowsOf<Record<string, unknown>>(result);
  if (row) return { ok: true, order: orderFromRow(row), available: String(row.available_before) };

  const why = await db.execute(sql`
    select b.balance::text as balance, b.reserved::text as reserved, b.synced_at,
           coalesce(b.synced_at >= now() - make_interval(secs => ${maxSyncAgeSeconds}), false) as fresh,
           (select id from ${orders} where trace_id = ${v.traceId}::uuid) as existing
    from (select 1) one left join ${balances} b on b.asset_id = ${v.assetId}::uuid`);
  const [w] = rowsOf<{
    balance: string | null;
    reserved: string | null;
    synced_at: string | Date | null;
    fresh: boolean;
    existing: string | null;
  }>(why);
  return {
    ok: false,
    reason: w?.fresh ? "insufficient_balance" : "balance_stale",
    balance: w?.balance ?? "0",
    reserved: w?.reserved ?? "0",
    syncedAt: w?.synced_at ? new Date(w.synced_at) : null,
    existingOrderId: w?.existing ?? null,
  };
}

const ORDER_COLUMNS = Object.entries(getTableColumns(orders));

/** A raw `orders` row (snake_case, driver values) as Drizzle would have returned it. */
function orderFromRow(row: Record<string, unknown>): Order {
  const out: Record<string, unknown> = {};
  for (const [key, col] of ORDER_COLUMNS) {
    const value = row[col.name];
    out[key] = value === null || value === undefined ? null : col.mapFromDriverValue(value);
  }
  return out as Order;
}
