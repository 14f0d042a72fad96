/**
 * Security headers for every answer of the broker (pages, route handlers, MixPay routes).
 *
 * - CSP with a fresh nonce per request (Next reads it from the request's CSP header and puts it
 *   on its own scripts; pages are rendered per request for that, see app/layout.tsx).
 *   `frame-ancestors 'none'`: no page may be framed — the console and the checkout's Pay button
 *   would otherwise be clickjackable. No wallet we serve needs framing: Binance Pay and Mixin
 *   open the checkout as a top-level page (or in their own webview), never in an iframe.
 *   `form-action` is left out on purpose: the demo Pay form ends in a 302 to MixPay's return_url
 *   and Sign in with Mixin in a redirect to mixin.one, which `form-action 'self'` would block.
 *   `style-src 'unsafe-inline'`: React style attributes; scripts, the real risk, need the nonce.
 * - nosniff, no referrer (checkout URLs carry order ids), X-Frame-Options for old browsers,
 *   HSTS in production (browsers ignore it over plain HTTP, so it is harmless behind a TLS proxy).
 */
export function securityHeaders(opts: {
  nonce: string;
  production: boolean;
  httpsPublicUrl: boolean;
}): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}' 'strict-dynamic'${opts.production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${opts.production ? "" : " ws: wss:"}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    ...(opts.httpsPublicUrl ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
  return {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    ...(opts.production ? { "strict-transport-security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
