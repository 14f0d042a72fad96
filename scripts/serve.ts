/**
 * The broker's HTTP server: Next.js behind a thin node:http (or https) listener.
 *   npm start                    → production: `node dist/serve.mjs` (compiled by `npm run build`)
 *   tsx scripts/serve.ts --dev   → development (used by `npm run dev`)
 *
 * Why not `next start`: Next's route handlers cannot see the TCP peer or whether the socket is
 * TLS, and the MixPay routes need both (HTTPS-only, trusted proxies, source allow-list). This
 * listener deletes any client-sent copies of the peer headers and stamps the real ones.
 *
 * As a service: `.env` files are loaded first (as Next does); a start that cannot work (bad or
 * unsafe settings, keystore, unreachable PostgreSQL after STARTUP_DB_WAIT_SECONDS, failed
 * migrations, demo users in a production store) exits 1 with the reason before anything listens.
 * SIGTERM/SIGINT stop accepting, let requests in flight finish for up to SHUTDOWN_GRACE_MS, then
 * exit 0 (1 if some had to be cut); a second signal exits at once.
 */
import { readFileSync } from "node:fs";
import { canonicalMixpayUrl, FETCH_FORBIDDEN_METHODS } from "../adapters/http/canonical-mixpay-url";
import { errorEnvelope, MIXPAY_CODES } from "../adapters/mixpay-http/envelope";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import next from "next";
import { closeStore } from "../db";
import { loadDotEnv } from "../server/config/load-dotenv";
import { env, type Env } from "../server/env";
import { assertValidRanges, PEER_ADDR_HEADER, PEER_TLS_HEADER } from "../adapters/http/transport";
import { trackRequests, type Drainer } from "../server/startup/drain";
import { preflight } from "../server/startup/preflight";
import { exitOnStopSignals } from "../server/startup/stop-signals";

const dev = process.argv.includes("--dev");
if (!process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });
loadDotEnv();

// Filled in as the start proceeds; a signal before the server listens just exits.
const running: { drainer?: Drainer; app?: ReturnType<typeof next> } = {};
exitOnStopSignals({
  drainer: () => running.drainer,
  graceMs: () => env().SHUTDOWN_GRACE_MS,
  close: () => Promise.allSettled([running.app?.close(), closeStore()]),
});

function cannotStart(reason: string): never {
  console.error(`mixpay-broker cannot start:\n${reason}`);
  process.exit(1);
}

let e: Env;
try {
  e = env();
  assertValidRanges(e.TRUSTED_PROXIES, "TRUSTED_PROXIES");
  assertValidRanges(e.MIXPAY_ALLOWED_SOURCES, "MIXPAY_ALLOWED_SOURCES");
  await preflight(e);
} catch (err) {
  cannotStart((err as Error).message);
}
if (e.NODE_ENV === "production" && e.MIXPAY_ALLOWED_SOURCES.length === 0 && e.MIXPAY_ALLOW_ANY_SOURCE) {
  // The operator opted out of the source allow-list: say so at every start, where logs are read.
  console.warn(
    "[serve] WARNING: MIXPAY_ALLOW_ANY_SOURCE=true — any address may call /mixpay/create_order and reserve the bot's balance. Set MIXPAY_ALLOWED_SOURCES to MixPay's egress addresses.",
  );
}
let tls: { cert: Buffer; key: Buffer } | undefined;
try {
  tls =
    e.TLS_CERT_FILE && e.TLS_KEY_FILE
      ? { cert: readFileSync(e.TLS_CERT_FILE), key: readFileSync(e.TLS_KEY_FILE) }
      : undefined;
} catch (err) {
  cannotStart(`TLS_CERT_FILE / TLS_KEY_FILE: ${(err as Error).message}`);
}

// instrumentation.ts settles this once it has validated and opened the store.
const instrumented: { promise?: Promise<void>; resolve?: () => void; reject?: (err: unknown) => void } = {};
instrumented.promise = new Promise<void>((resolve, reject) => Object.assign(instrumented, { resolve, reject }));
(globalThis as Record<symbol, unknown>)[Symbol.for("mixpay-broker.startup")] = instrumented;
const app = next({ dev, hostname: e.HOST, port: e.PORT, turbopack: dev });
running.app = app;
try {
  await app.prepare();
  // In production Next runs instrumentation in the background and only logs its failure (then
  // answers 500 to everything): wait for it, bounded, so a failure is an exit with the reason.
  // (Development runs it lazily and keeps its friendly behaviour.)
  if (!dev) {
    const limitMs = (e.STARTUP_DB_WAIT_SECONDS + 120) * 1000;
    await Promise.race([
      instrumented.promise,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`instrumentation did not finish within ${limitMs / 1000} s`)),
          limitMs,
        ).unref(),
      ),
    ]);
  }
} catch (err) {
  cannotStart((err as Error).message);
}
const handle = app.getRequestHandler();
const upgrade = app.getUpgradeHandler();

function stamp(req: IncomingMessage): void {
  req.headers[PEER_ADDR_HEADER] = req.socket.remoteAddress ?? "";
  req.headers[PEER_TLS_HEADER] = tls ? "1" : "0";
}

/**
 * What Next answers before any app code can: `//` or `\\` in a /mixpay path (308) and methods
 * undici refuses (TRACE, CONNECT: 500 text/plain). MixPay's routes answer the envelope whatever
 * arrives, so the listener canonicalises the path and refuses those methods itself.
 */
async function refuseForbiddenMethod(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (!FETCH_FORBIDDEN_METHODS.has((req.method ?? "").toUpperCase())) return false;
  const underMixpay = (req.url ?? "").startsWith("/mixpay");
  const answer = underMixpay
    ? errorEnvelope(MIXPAY_CODES.PARAMETER_ERROR, `Parameter error: method ${req.method} is not allowed`, 405, {
        allow: "GET, HEAD, POST, OPTIONS",
      })
    : new Response("Method Not Allowed", { status: 405, headers: { "content-type": "text/plain" } });
  res.writeHead(answer.status, Object.fromEntries(answer.headers));
  res.end(await answer.text());
  return true;
}

const listener = (req: IncomingMessage, res: ServerResponse) => {
  stamp(req);
  req.url = canonicalMixpayUrl(req.url ?? "/");
  void refuseForbiddenMethod(req, res)
    .then((refused) => (refused ? undefined : handle(req, res)))
    .catch((err: unknown) => {
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
server.on("error", (err) => cannotStart(`cannot listen on ${e.HOST}:${e.PORT}: ${err.message}`));
running.drainer = trackRequests(server);
server.listen(e.PORT, e.HOST, () => {
  console.log(
    `mixpay-broker ${dev ? "(dev) " : ""}listening on ${tls ? "https" : "http"}://${e.HOST}:${e.PORT} — public URL ${e.PUBLIC_BASE_URL}`,
  );
});
