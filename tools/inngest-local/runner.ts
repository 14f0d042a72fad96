/**
 * A local stand-in for the Inngest Dev Server, for development and tests only.
 *
 * It speaks the executor side of Inngest's public SDK protocol (docs/SDK_SPEC.md in
 * inngest/inngest): it syncs the app through its serve endpoint, accepts events the way
 * `inngest.send` posts them in dev mode, and drives each run by POSTing Call Requests to
 * the serve endpoint with the memoized step state until the function answers 200 (done),
 * 206 (steps to memoize, run or schedule), 500 (retry) or 400 (give up). Everything is
 * kept in memory: restarting the runner forgets runs, sleeps and dedupe keys.
 *
 * The modules, from the bottom up: types, util, time, cron, expr; state (the shared maps,
 * timers, idleness); registry (sync); scheduler (work queues, concurrency, crons); runs
 * (start, memoize, resume, finish); retry; ops (206 step ops); executor (Call Requests);
 * events (intake, dedupe, matching); views, status-page, http. This file wires them up.
 */
import { ingest } from "./events";
import { call } from "./executor";
import { listen } from "./http";
import { sync, syncUntilReady } from "./registry";
import { startRun } from "./runs";
import { cronLoop, tick } from "./scheduler";
import { createState, isIdle } from "./state";
import type { LocalInngest, LocalInngestOptions } from "./types";
import { listRuns, view } from "./views";

export type {
  FunctionConfig,
  InngestEvent,
  LocalInngest,
  LocalInngestOptions,
  RunnerLogger,
  RunStatus,
  RunView,
  StepView,
} from "./types";

export async function startLocalInngest(options: LocalInngestOptions): Promise<LocalInngest> {
  const state = createState(options, { ingest, startRun, call });
  const { server, port } = await listen(state, options.port ?? 8288, options.host ?? "127.0.0.1");
  const host = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  state.log.info({ url: baseUrl, app: state.appUrl.href }, "local Inngest runner listening");

  if (options.syncOnStart ?? true) syncUntilReady(state);
  if (options.autoCron ?? true) cronLoop(state);

  return {
    url: baseUrl,
    port,
    sync: () => sync(state),
    async send(events) {
      const result = await ingest(state, events);
      if (result.error) throw new Error(result.error);
      return result.ids;
    },
    tick: (at) => tick(state, at),
    runs: () => listRuns(state),
    lastSync: () => state.lastSync,
    run: (id) => {
      const r = state.runs.get(id);
      return r ? view(r) : undefined;
    },
    idle: () =>
      new Promise<void>((resolve) => {
        if (isIdle(state)) resolve();
        else state.idleWaiters.push(resolve);
      }),
    async close() {
      state.closed = true;
      for (const t of state.globalTimers) clearTimeout(t);
      for (const r of state.runs.values()) for (const t of r.timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const w of state.idleWaiters.splice(0)) w();
    },
  };
}
