export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Liveness: the process answers HTTP. Nothing about the store or its errors (that is /api/ready,
 * which answers 503 with a reason per check): a liveness probe that failed on a database outage
 * would restart every instance at once and fix nothing.
 */
export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
