import { plainErrorResponse } from "@/adapters/http/error-status";
import { getDb } from "@/db";
import { AppError, AppErrorCode } from "@/server/errors";
import { ordersCsv } from "@/server/console/export-orders";
import { scopeOf } from "@/server/console/payee-scope";
import { filterFromSearchParams } from "@/server/console/search-params";
import { createContext } from "@/adapters/trpc/context";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The filtered history as CSV, streamed page by page (server/console/export-orders.ts). */
export async function GET(req: Request) {
  const { user } = await createContext();
  if (!user) return plainErrorResponse(new AppError(AppErrorCode.UNAUTHORIZED, "sign in first"));
  const chunks = ordersCsv(await getDb(), scopeOf(user), filterFromSearchParams(new URL(req.url).searchParams));
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const name = `payments-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
}
