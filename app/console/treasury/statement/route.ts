import { plainErrorResponse } from "@/adapters/http/error-status";
import { getDb } from "@/db";
import { AppError, AppErrorCode } from "@/server/errors";
import { assets } from "@/db/schema";
import { dailyStatement, statementCsv } from "@/server/ledger/statement";
import { createContext } from "@/adapters/trpc/context";
import { eq } from "drizzle-orm";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The daily statement of one asset as CSV (server/ledger/statement.ts): operators only. */
export async function GET(req: Request) {
  const { user } = await createContext();
  if (!user) return plainErrorResponse(new AppError(AppErrorCode.UNAUTHORIZED, "sign in first"));
  if (user.role !== "operator") return plainErrorResponse(new AppError(AppErrorCode.FORBIDDEN, "operators only"));
  const sp = new URL(req.url).searchParams;
  const assetId = sp.get("asset") ?? "";
  const from = sp.get("from") ?? "";
  const to = sp.get("to") ?? "";
  if (
    !UUID.test(assetId) ||
    !DAY.test(from) ||
    !DAY.test(to) ||
    from > to ||
    Date.parse(to) - Date.parse(from) > 366 * 86_400_000
  ) {
    return plainErrorResponse(
      AppError.badParameter("asset", "asset (uuid), from and to (YYYY-MM-DD, at most a year apart) are required"),
    );
  }
  const db = await getDb();
  const [asset] = await db.select().from(assets).where(eq(assets.assetId, assetId));
  if (!asset) return plainErrorResponse(new AppError(AppErrorCode.NOT_FOUND, "unknown asset"));
  const csv = statementCsv(await dailyStatement(db, assetId, from, to), assetId, asset.symbol);
  const name = `statement-${asset.symbol}-${from}-${to}.csv`;
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
}
