import type { Db } from "@/db/client";
import { sql } from "drizzle-orm";
import { balances, orders, reservationHolds } from "@/db/schema";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { dec } from "@/server/money";
import { rowsOf } from "@/server/orders/reservations";
import { COUNTED_STATUSES } from "@/server/orders/state-machine";

export interface ReservationDrift {
  assetId: string;
  counter: string;
  expected: string;
}

/**
 * Compare each asset's reservation counter (balances.reserved) with what the orders and holds say
 * it must be. Any difference is a bug or a hand edit, and it is money: a counter too low lets
 * create_order over-commit the bot, too high refuses orders it could take. Raises one critical
 * alert per drifting asset; never corrects on its own (an operator decides, with the figures).
 */
export async function checkReservations(db: Db): Promise<{ checked: number; drift: ReservationDrift[] }> {
  const { checked, drift } = await readDrift(db);
  for (const d of drift) {
    await raiseAlert(db, {
      kind: "reservation_drift",
      dedupeKey: `reservation_drift:${d.assetId}`,
      severity: "critical",
      assetId: d.assetId,
      message: `The reservation counter of asset ${d.assetId} holds ${d.counter}, but its open orders and holds add up to ${d.expected}. create_order may over- or under-commit the bot until this is corrected.`,
      data: { ...d },
    });
  }
  return { checked, drift };
}

/** Counters and the sums they stand for, read in ONE statement (one snapshot: no false drift). */
async function readDrift(db: Db): Promise<{ checked: number; drift: ReservationDrift[] }> {
  const counted = sql.join(
    COUNTED_STATUSES.map((st) => sql`${st}`),
    sql`, `,
  );
  const result = await db.execute(sql`
    with want as (
      select asset_id, sum(amount) as total from (
        select ${orders.assetId} as asset_id, ${orders.amount} as amount from ${orders} where ${orders.status} in (${counted})
        union all
        select ${reservationHolds.assetId}, ${reservationHolds.amount} from ${reservationHolds}
      ) u group by asset_id
    )
    select coalesce(b.asset_id, w.asset_id)::text as asset_id,
           coalesce(b.reserved, 0)::text as counter, coalesce(w.total, 0)::text as expected
    from ${balances} b full join want w on w.asset_id = b.asset_id`);
  const rows = rowsOf<{ asset_id: string; counter: string; expected: string }>(result);
  const drift = rows
    .filter((r) => !dec(r.counter).eq(dec(r.expected)))
    .map((r) => ({ assetId: r.asset_id, counter: dec(r.counter).toFixed(8), expected: dec(r.expected).toFixed(8) }));
  return { checked: rows.length, drift };
}
