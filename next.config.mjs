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
  typedRoutes: false,
};

export default nextConfig;
