import { timingSafeEqual } from "node:crypto";

/**
 * /api/metrics is for Prometheus only: `Authorization: Bearer <METRICS_TOKEN>`. Without a token
 * configured the route does not exist (404) in every environment, production included — metrics
 * are opt-in, and an unconfigured broker never exposes its balances. A wrong token is 401.
 */
export function authorizeScrape(header: string | null, token: string | undefined): 200 | 401 | 404 {
  if (!token) return 404;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return 401;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? 200 : 401;
}
