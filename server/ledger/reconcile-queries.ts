import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Settlement transfers Mixin has accepted whose snapshot has no journal yet: already gone from
 * the bot's outputs, not yet in the books. Negative amounts per asset.
 */
export async function inFlightSettlements(db: Db): Promise<Map<string, string>> {
  const rows = await db.execute<{ asset_id: string; total: string }>(sql`
    select t.asset_id, (-sum(t.amount))::text as total
    from mixin_transfers t
    where t.status in ('sent', 'confirmed')
      -- A transfer whose snapshot is not booked a day later is not in flight: it is a difference.
      and t.updated_at > now() - interval '1 day'
      and not exists (select 1 from ledger_journals j where j.order_id = t.order_id and j.kind = 'settlement')
      and (t.snapshot_id is null or not exists (select 1 from ledger_journals j where j.snapshot_id = t.snapshot_id))
    group by t.asset_id`);
  return new Map(rowsOf<{ asset_id: string; total: string }>(rows).map((r) => [r.asset_id, r.total]));
}

/**
 * Wallet refunds the provider accepted but has not finished: gone from the wallet, not yet in the
 * books. What left the wallet is the refund less the commission it gives back (Binance Pay's
 * `refundCommission`, kept in the refund attempt's answer); the books post both at completion.
 */
export async function inFlightRefunds(db: Db, provider: string): Promise<Map<string, string>> {
  const rows = await db.execute<{ asset_id: string; total: string }>(sql`
    select o.asset_id, (-sum(r.amount - coalesce((
      select (a.response->>'commissionReturned')::numeric from outbound_attempts a
      where a.kind = 'wallet_refund' and a.idempotency_key = r.request_id and a.response->>'commissionReturned' ~ '^[0-9]+(\.[0-9]{1,8})?$'
      order by a.attempt desc limit 1), 0)))::text as total
    from refunds r join orders o on o.id = r.order_id
    where r.status = 'processing' and o.wallet_provider = ${provider}
      and not exists (select 1 from ledger_journals j where j.idempotency_key = 'order:' || o.id || ':refunded')
    group by o.asset_id`);
  return new Map(rowsOf<{ asset_id: string; total: string }>(rows).map((r) => [r.asset_id, r.total]));
}

/**
 * Per asset, what the books should owe MixPay given the orders' statuses: the amounts of orders
 * that reserve balance and whose settlement is not booked, plus orders already past settling whose
 * transfer is in flight. Reads only open orders and recent transfers, so it stays cheap; the
 * per-order query below runs only when an asset's total disagrees with the books.
 */
export async function expectedOwedMixpay(db: Db): Promise<Map<string, string>> {
  const rows = await db.execute<{ asset_id: string; total: string }>(sql`
    select asset_id, sum(amount)::text as total from (
      select o.asset_id, o.amount from orders o
       where o.status in ('paid', 'settling', 'settlement_failed')
         and not exists (select 1 from ledger_journals j where j.order_id = o.id and j.kind = 'settlement')
      union all
      select o.asset_id, o.amount from mixin_transfers t join orders o on o.id = t.order_id
       where t.status in ('sent', 'confirmed') and t.updated_at > now() - interval '1 day'
         and o.status not in ('paid', 'settling', 'settlement_failed')
         and not exists (select 1 from ledger_journals j where j.order_id = o.id and j.kind = 'settlement')
    ) x group by asset_id`);
  return new Map(rowsOf<{ asset_id: string; total: string }>(rows).map((r) => [r.asset_id, r.total]));
}

export interface ReservationMismatch {
  orderId: string;
  assetId: string;
  status: string;
  /** What the order reserves of the bot's balance (its amount while paid/settling/settlement_failed). */
  reserved: string;
  /** What the books say MixPay is still owed for it. */
  booksOwed: string;
}

/**
 * Orders whose reservation disagrees with the books: an order that reserves its amount must owe
 * MixPay exactly that in the books (unless its settlement snapshot is already booked), and the books
 * must owe nothing for an order that no longer reserves (unless its transfer is in flight).
 */
export async function reservationMismatches(db: Db, limit = 200): Promise<ReservationMismatch[]> {
  const rows = await db.execute<{
    order_id: string;
    asset_id: string;
    status: string;
    reserved: string;
    books_owed: string;
  }>(sql`
    with owed as (
      select order_id, -sum(amount) as owed from ledger_entries
      where account = 'owed_mixpay' and order_id is not null
      group by order_id having sum(amount) <> 0
    )
    select o.id as order_id, o.asset_id, o.status::text, o.amount::text as reserved, coalesce(w.owed, 0)::text as books_owed
    from orders o left join owed w on w.order_id = o.id
    where o.status in ('paid', 'settling', 'settlement_failed') and coalesce(w.owed, 0) <> o.amount
      and not exists (select 1 from ledger_journals j where j.order_id = o.id and j.kind = 'settlement')
    union all
    select o.id, o.asset_id, o.status::text, '0', w.owed::text
    from owed w join orders o on o.id = w.order_id
    where o.status not in ('paid', 'settling', 'settlement_failed')
      and not exists (select 1 from mixin_transfers t where t.order_id = o.id and t.status in ('sent', 'confirmed'))
    limit ${limit}`);
  return rowsOf<{ order_id: string; asset_id: string; status: string; reserved: string; books_owed: string }>(rows).map(
    (r) => ({
      orderId: r.order_id,
      assetId: r.asset_id,
      status: r.status,
      reserved: r.reserved,
      booksOwed: r.books_owed,
    }),
  );
}

/** postgres.js returns an array, PGlite `{ rows }`: read either. */
export function rowsOf<T>(r: unknown): T[] {
  return Array.isArray(r) ? (r as T[]) : ((r as { rows: T[] }).rows ?? []);
}
