/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages use Node APIs (WASM files, native crypto, sockets) that must not be bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@mixin.dev/mixin-node-sdk",
    "@node-rs/argon2",
    "postgres",
    "pino",
    "pino-pretty",
  ],
  poweredByHeader: false,
  // /mixpay answers the envelope for trailing slashes too (proxy.ts), never Next's 308.
  skipTrailingSlashRedirect: true,
  // Headers that need no nonce, on everything (static assets included; proxy.ts adds the CSP).
  async headers() {
    const production = process.env.NODE_ENV === "production";
    const h = [
      { key: "x-content-type-options", value: "nosniff" },
      { key: "x-frame-options", value: "DENY" },
      { key: "referrer-policy", value: "no-referrer" },
      ...(production ? [{ key: "strict-transport-security", value: "max-age=63072000; includeSubDomains" }] : []),
    ];
    // Routes the proxy skips (they read bodies, or are MixPay's hot path; see proxy.ts) answer JSON only: a CSP that allows nothing.
    const strict = [
      { key: "content-security-policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'" },
    ];
    return [
      { source: "/:path*", headers: h },
      ...[
        "/mixpay/create_order",
        "/mixpay/assets/range",
        "/api/webhooks/:path*",
        "/api/trpc/:path*",
        "/api/auth/:path*",
        "/api/inngest",
      ].map((source) => ({ source, headers: strict })),
    ];
  },
  typedRoutes: false,
};

export default nextConfig;
