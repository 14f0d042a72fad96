import { env } from "@/server/env";

/**
 * Where the end user goes after paying: MixPay's return_url, but only on an allowed host.
 * create_order takes return_url from an unauthenticated caller, so without this check the
 * broker's /r/<order> would be an open redirect to anywhere (phishing "back to the shop" pages).
 * Allowed: RETURN_URL_ALLOWED_HOSTS over https, the broker's own host, and in development localhost.
 */
export function isAllowedReturnUrl(raw: string, e = env()): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  const own = new URL(e.PUBLIC_BASE_URL);
  if (host === own.hostname.toLowerCase() && u.protocol === own.protocol) return true;
  if (
    e.NODE_ENV !== "production" &&
    ["localhost", "127.0.0.1", "[::1]"].includes(host) &&
    (u.protocol === "http:" || u.protocol === "https:")
  )
    return true;
  if (u.protocol !== "https:") return false;
  const allowed = e.RETURN_URL_ALLOWED_HOSTS.split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return allowed.some((a) =>
    a.startsWith("*.") ? host.endsWith(a.slice(1)) && host.length > a.length - 1 : host === a,
  );
}

const SAFE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payment received</title><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1>Thank you</h1><p>Your payment was submitted. The shop's return address is not one this broker may send you to, so you can close this page and go back to the shop yourself.</p></body></html>`;

/** The spec's 302 to return_url, or a safe page when that address is not allowed. */
export function returnRedirect(returnUrl: string): Response {
  if (isAllowedReturnUrl(returnUrl))
    return new Response(null, { status: 302, headers: { location: returnUrl, "cache-control": "no-store" } });
  return new Response(SAFE_PAGE, {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
