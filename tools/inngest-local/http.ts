/**
 * The runner's HTTP side: the routes the SDK uses (`POST /e/:key`, `POST /fn/register`,
 * `GET /v0/runs/:id/actions|batch`, `POST /v1/traces`) and the ones for people and tests
 * (`/`, `/_runs`, `/_runs/:id`, `/_functions`, `POST /_sync`, `POST /_tick`).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ingest } from "./events";
import { register, sync } from "./registry";
import { tick } from "./scheduler";
import type { RunnerState } from "./state";
import { statusPage } from "./status-page";
import type { FunctionConfig } from "./types";
import { errorMessage, isRecord, parseJson } from "./util";
import { listRuns, view } from "./views";

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function handle(state: RunnerState, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";

  if (method === "POST" && /^\/e\/[^/]+$/.test(path)) {
    const raw = parseJson(await readBody(req));
    const seed = req.headers["x-inngest-event-id-seed"];
    const result = await ingest(state, raw, typeof seed === "string" ? seed : undefined);
    if (result.error) sendJson(res, 400, { ids: [], status: 400, error: result.error });
    else sendJson(res, 200, { ids: result.ids, status: 200 });
    return;
  }
  if (method === "POST" && path === "/fn/register") {
    const body = parseJson(await readBody(req));
    if (!isRecord(body) || !Array.isArray(body.functions)) {
      sendJson(res, 400, { status: 400, error: "register body has no functions" });
      return;
    }
    register(state, body.functions as FunctionConfig[], "out-of-band register");
    sendJson(res, 200, { ok: true, modified: true });
    return;
  }
  if (method === "POST" && path === "/_sync") {
    try {
      sendJson(res, 200, { functions: await sync(state) });
    } catch (err) {
      sendJson(res, 502, { error: errorMessage(err) });
    }
    return;
  }
  if (method === "POST" && path === "/_tick") {
    sendJson(res, 200, { fired: await tick(state) });
    return;
  }
  const runMatch = /^\/v0\/runs\/([^/]+)\/(actions|batch)$/.exec(path);
  if (method === "GET" && runMatch) {
    const run = state.runs.get(runMatch[1]!);
    if (!run) sendJson(res, 404, { error: "run not found", status: 404 });
    else if (runMatch[2] === "batch") sendJson(res, 200, run.events);
    else sendJson(res, 200, Object.fromEntries(run.memo));
    return;
  }
  if (method === "GET" && path === "/_runs") {
    const status = url.searchParams.get("status");
    const fn = url.searchParams.get("function");
    sendJson(
      res,
      200,
      listRuns(state).filter(
        (r) => (!status || r.status === status) && (!fn || r.functionId === fn || r.functionId.endsWith(`-${fn}`)),
      ),
    );
    return;
  }
  const one = /^\/_runs\/([^/]+)$/.exec(path);
  if (method === "GET" && one) {
    const run = state.runs.get(one[1]!);
    if (run) sendJson(res, 200, view(run));
    else sendJson(res, 404, { error: "run not found" });
    return;
  }
  if (method === "GET" && path === "/_functions") {
    sendJson(res, 200, [...state.functions.values()]);
    return;
  }
  if (method === "GET" && path === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(statusPage(state));
    return;
  }
  if (method === "POST" && path.startsWith("/v1/traces")) {
    // Extended traces from the SDK: accepted and dropped.
    await readBody(req);
    sendJson(res, 200, {});
    return;
  }
  sendJson(res, 404, { error: `not supported by the local runner: ${method} ${path}` });
}

/** Listens on `port` (0 = any free one) and `host`; resolves once listening. */
export async function listen(
  state: RunnerState,
  port: number,
  host: string,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((err: unknown) => {
      state.log.error({ error: errorMessage(err), path: req.url }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: errorMessage(err) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
