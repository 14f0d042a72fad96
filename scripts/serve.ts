/**
 * The broker's HTTP server: Next.js behind a thin node:http (or https) listener.
 *   npm start            → production (after `npm run build`)
 *   tsx scripts/serve.ts --dev   → development (used by `npm run dev`)
 *
 * Why not `next start`: Next's route handlers cannot see the TCP peer or whether the socket is
 * TLS, and the MixPay routes need both (HTTPS-only, trusted proxies, source allow-list). This
 * listener deletes any client-sent copies of the peer headers and stamps the real ones.
 * It must not import the store: Next opens it in this same process.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import next from "next";
import { env } from "../server/env";
import { assertValidRanges, PEER_ADDR_HEADER, PEER_TLS_HEADER } from "../server/mixpay/transport";

const dev = process.argv.includes("--dev");
if (!process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });

const e = env();
assertValidRanges(e.TRUSTED_PROXIES, "TRUSTED_PROXIES");
assertValidRanges(e.MIXPAY_ALLOWED_SOURCES, "MIXPAY_ALLOWED_SOURCES");
if (e.NODE_ENV === "production" && e.MIXPAY_ALLOWED_SOURCES.length === 0 && e.MIXPAY_ALLOW_ANY_SOURCE) {
  // The operator opted out of the source allow-list: say so at every start, where logs are read.
  console.warn("[serve] WARNING: MIXPAY_ALLOW_ANY_SOURCE=true — any address may call /mixpay/create_order and reserve the bot's balance. Set MIXPAY_ALLOWED_SOURCES to MixPay's egress addresses.");
}
const tls = e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { cert: readFileSync(e.TLS_CERT_FILE), key: readFileSync(e.TLS_KEY_FILE) } : undefined;

const app = next({ dev, hostname: e.HOST, port: e.PORT, turbopack: dev });
await app.prepare();
const handle = app.getRequestHandler();
const upgrade = app.getUpgradeHandler();

function stamp(req: IncomingMessage): void {
  req.headers[PEER_ADDR_HEADER] = req.socket.remoteAddress ?? "";
  req.headers[PEER_TLS_HEADER] = tls ? "1" : "0";
}

const listener = (req: IncomingMessage, res: ServerResponse) => {
  stamp(req);
  handle(req, res).catch((err: unknown) => {
    console.error("unhandled request error", err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    }
  });
};
const server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
server.on("upgrade", (req, socket, head) => {
  stamp(req);
  void upgrade(req, socket, head);
});
server.listen(e.PORT, e.HOST, () => {
  console.log(`mixpay-broker ${dev ? "(dev) " : ""}listening on ${tls ? "https" : "http"}://${e.HOST}:${e.PORT} — public URL ${e.PUBLIC_BASE_URL}`);
});

function shutdown(signal: string) {
  console.log(`${signal}: closing`);
  server.close(() => {
    void app.close().finally(() => process.exit(0));
  });
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
