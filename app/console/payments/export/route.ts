import { stringify } from "csv-stringify";
import { getDb } from "@/db";
import { listOrders } from "@/server/console/list-orders";
import { filterFromSearchParams } from "@/server/console/search-params";
import { createContext } from "@/server/trpc/context";
import type { PayeeScope } from "@/server/trpc/init";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const COLUMNS = ["order_id", "trace_id", "payee_id", "wallet", "asset_id", "symbol", "amount", "fee", "pay_amount", "status", "created_at", "expired_at"];

/**
 * The filtered history as CSV, streamed page by page (keyset), so a large export neither
 * buffers in memory nor holds one long query. Same scope rules as the pages.
 */
export async function GET(req: Request) {
  const { user } = await createContext();
  if (!user) return new Response("sign in first", { status: 401 });
  const scope: PayeeScope = user.role === "operator" ? { kind: "all" } : { kind: "payees", payeeIds: user.payeeIds };
  const filter = filterFromSearchParams(new URL(req.url).searchParams);
  const db = await getDb();
  const csv = stringify({ header: true, columns: COLUMNS });
  void (async () => {
    try {
      let cursor: { createdAt: Date; id: string } | undefined;
      do {
        const page = await listOrders(db, scope, filter, { cursor, limit: 1000 });
        for (const o of page.items) {
          const ok = csv.write([o.id, o.traceId, o.payeeId, o.wallet, o.assetId, o.symbol ?? "", o.amount, o.fee, o.payAmount, o.status, o.createdAt.toISOString(), o.expiredAt.toISOString()]);
          if (!ok) await new Promise((r) => csv.once("drain", r));
        }
        cursor = page.nextCursor;
      } while (cursor);
      csv.end();
    } catch (e) {
      csv.destroy(e as Error);
    }
  })();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      csv.on("data", (chunk: Buffer | string) => controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk)));
      csv.on("end", () => controller.close());
      csv.on("error", (e) => controller.error(e));
    },
  });
  const name = `payments-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" } });
}
