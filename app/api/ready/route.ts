import { getDb } from "@/db";
import { env } from "@/server/env";
import { checkInngest, checkReadiness } from "@/server/health/readiness";
import { logger } from "@/server/logger";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Readiness for load balancers and deploys: 200 when this instance may take MixPay traffic,
 * 503 otherwise; each check says why (no internals). Liveness is /api/health.
 */
export async function GET() {
  const e = env();
  let db;
  try {
    db = await getDb();
  } catch (err) {
    logger("ready").error({ err }, "store not available");
    return Response.json(
      { ready: false, checks: { database: { ok: false, detail: "not available" } } },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
  const r = await checkReadiness(db, {
    maxBalanceSyncAgeSeconds: e.READY_MAX_BALANCE_SYNC_AGE_SECONDS,
    maxSnapshotPollAgeSeconds: e.READY_MAX_SNAPSHOT_POLL_AGE_SECONDS,
    maxOutboxAgeSeconds: e.READY_MAX_OUTBOX_AGE_SECONDS,
    inngest: () => checkInngest(),
  });
  if (!r.ready) logger("ready").warn({ checks: r.checks }, "not ready");
  return Response.json(r, { status: r.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
