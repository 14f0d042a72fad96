import { errorEnvelope, MIXPAY_CODES } from "./envelope";

/** The MixPay routes and the one method each takes (HEAD is answered for GET routes too). */
export const MIXPAY_ROUTES: Record<string, "GET" | "POST"> = {
  "/mixpay/assets/range": "GET",
  "/mixpay/create_order": "POST",
};

/**
 * What the proxy does with a /mixpay request before Next routes it, so every answer is the
 * envelope: Next itself would answer 308 for a trailing or doubled slash, 204 for OPTIONS and a
 * text/plain 500 for a malformed percent-escape. Returns a Response to send, a canonical path
 * to rewrite to, or undefined to let the route handler answer.
 *
 * Trailing and doubled slashes name the same route (a client may join paths loosely); any other
 * spelling (case, escapes) is an unknown path: 404. A method the route does not take: 405.
 */
export function mixpayEdge(method: string, rawPath: string): { respond: Response } | { rewrite: string } | undefined {
  try {
    decodeURIComponent(rawPath);
  } catch {
    return {
      respond: errorEnvelope(
        MIXPAY_CODES.PARAMETER_ERROR,
        "Parameter error: the path is not valid percent-encoding",
        400,
      ),
    };
  }
  const canonical = rawPath.replace(/\/{2,}/g, "/").replace(/(.)\/+$/, "$1");
  const allowed = MIXPAY_ROUTES[canonical];
  if (!allowed)
    return {
      respond: errorEnvelope(
        MIXPAY_CODES.PARAMETER_ERROR,
        `Parameter error: no MixPay route at ${shorten(canonical)}`,
        404,
      ),
    };
  const takes = method === allowed || (method === "HEAD" && allowed === "GET");
  if (!takes) {
    const allow = allowed === "GET" ? "GET, HEAD" : allowed;
    return {
      respond: errorEnvelope(
        MIXPAY_CODES.PARAMETER_ERROR,
        `Parameter error: ${shorten(method)} is not supported on ${canonical}; use ${allowed}`,
        405,
        { allow },
      ),
    };
  }
  return canonical !== rawPath ? { rewrite: canonical } : undefined;
}

function shorten(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
