import { getDb } from "@/db";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { authorizeScrape } from "@/server/metrics/authorize-scrape";
import { metrics } from "@/server/metrics/registry";
import { refreshStoreGauges } from "@/server/metrics/store-gauges";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint, behind METRICS_TOKEN (server/metrics/authorize-scrape.ts). */
export async function GET(req: Request) {
  const verdict = authorizeScrape(req.headers.get("authorization"), env().METRICS_TOKEN);
  if (verdict === 404) return new Response("Not found", { status: 404 });
  if (verdict === 401)
    return new Response("Unauthorized", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
  const m = metrics();
  try {
    await refreshStoreGauges(await getDb(), m);
  } catch (err) {
    // Still answer the process metrics; the store gauges keep their last values.
    logger("metrics").error({ err }, "store gauges not refreshed");
  }
  return new Response(await m.registry.metrics(), {
    headers: { "content-type": m.registry.contentType, "cache-control": "no-store" },
  });
}
