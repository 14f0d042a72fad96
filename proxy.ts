import { NextResponse, type NextRequest } from "next/server";
import { securityHeaders } from "@/adapters/http/security-headers";
import { mixpayEdge } from "@/adapters/mixpay-http/edge-paths";

/**
 * Runs before every route (Next 16's proxy, formerly middleware):
 * - a request id (the caller's X-Request-Id when it is sane, else a new one) on the request, for
 *   the handlers' logs, and on the response;
 * - the security headers with a fresh CSP nonce (adapters/http/security-headers.ts);
 * - the /mixpay edge cases answered with the envelope before Next's router can answer otherwise.
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const production = process.env.NODE_ENV === "production";
const httpsPublicUrl = (process.env.PUBLIC_BASE_URL ?? "").startsWith("https:");

export function proxy(req: NextRequest): NextResponse | Response {
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const headers = securityHeaders({ nonce, production, httpsPublicUrl });

  const stamp = (res: Response): Response => {
    for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    res.headers.set("x-request-id", requestId);
    return res;
  };

  const rawPath = rawPathOf(req);
  if (rawPath === "/mixpay" || rawPath.startsWith("/mixpay/")) {
    const edge = mixpayEdge(req.method, rawPath);
    if (edge && "respond" in edge) return stamp(edge.respond);
    const forwarded = new Headers(req.headers);
    forwarded.set("x-request-id", requestId);
    if (edge && "rewrite" in edge) {
      const to = new URL(edge.rewrite + req.nextUrl.search, req.url);
      return stamp(NextResponse.rewrite(to, { request: { headers: forwarded } }));
    }
    return stamp(NextResponse.next({ request: { headers: forwarded } }));
  }

  const forwarded = new Headers(req.headers);
  forwarded.set("x-request-id", requestId);
  forwarded.set("x-nonce", nonce);
  // Next takes the nonce for its own scripts from the request's CSP header.
  forwarded.set("content-security-policy", headers["content-security-policy"]!);
  return stamp(NextResponse.next({ request: { headers: forwarded } }));
}

/** The path as sent (Next's nextUrl may already be normalised); only the path, never the query. */
function rawPathOf(req: NextRequest): string {
  const u = req.url;
  const start = u.indexOf("/", u.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = u.slice(start).search(/[?#]/);
  return end < 0 ? u.slice(start) : u.slice(start, start + end);
}

export const config = {
  // Everything but Next's static assets and the routes that read a body: when the proxy runs on a
  // request, Next first copies the whole body for it (up to 10 MB, and drains the rest), which would
  // defeat the body caps of create_order, the webhooks, tRPC and next-auth. next.config gives those
  // routes their headers (a strict static CSP: they answer JSON, never scripts).
  // /mixpay/assets/range reads no body but is skipped too, for speed: the proxy's per-request cost
  // (Next's middleware adapter, a copy of the headers, two UUIDs) was a large share of MixPay's hot
  // path (BENCHMARKS.md); its route answers the same edge cases itself (app/mixpay/assets/range).
  // Any other spelling of the path (trailing slash, …) still comes here.
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|api/webhooks/|api/trpc/|api/auth/|api/inngest|mixpay/create_order$|mixpay/assets/range$).*)",
  ],
};
