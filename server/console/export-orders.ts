import { stringify } from "csv-stringify/sync";
import type { DbOrTx } from "@/db/client";
import type { PayeeScope } from "./payee-scope";
import { listOrders } from "./list-orders";
import type { OrderFilter } from "./order-filters";

export const CSV_COLUMNS = [
  "order_id",
  "trace_id",
  "payee_id",
  "wallet",
  "asset_id",
  "symbol",
  "amount",
  "fee",
  "pay_amount",
  "status",
  "created_at",
  "expired_at",
];

/**
 * The filtered history as CSV text chunks, page by page (keyset), so a large export neither
 * buffers in memory nor holds one long query. Same scope rules as the pages.
 */
export async function* ordersCsv(
  db: DbOrTx,
  scope: PayeeScope,
  filter: OrderFilter,
  pageSize = 1000,
): AsyncGenerator<string> {
  let cursor: { createdAt: Date; id: string } | undefined;
  let header = true;
  do {
    const page = await listOrders(db, scope, filter, { cursor, limit: pageSize });
    const rows = page.items.map((o) => [
      o.id,
      o.traceId,
      o.payeeId,
      o.wallet,
      o.assetId,
      o.symbol ?? "",
      o.amount,
      o.fee,
      o.payAmount,
      o.status,
      o.createdAt.toISOString(),
      o.expiredAt.toISOString(),
    ]);
    yield stringify(rows, { header, columns: CSV_COLUMNS });
    header = false;
    cursor = page.nextCursor;
  } while (cursor);
}
