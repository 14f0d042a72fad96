/**
 * A local stand-in for the Inngest Dev Server, for development and tests only.
 *
 * It speaks the executor side of Inngest's public SDK protocol (docs/SDK_SPEC.md in
 * inngest/inngest): it syncs the app through its serve endpoint, accepts events the way
 * `inngest.send` posts them in dev mode, and drives each run by POSTing Call Requests to
 * the serve endpoint with the memoized step state until the function answers 200 (done),
 * 206 (steps to memoize, run or schedule), 500 (retry) or 400 (give up). Everything is
 * kept in memory: restarting the runner forgets runs, sleeps and dedupe keys.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { cronMatches, parseCron, type Cron } from "./cron";
import { checkExpression, evaluate } from "./expr";
import { seededEventId, sleepUntil, ulid } from "./time";

// ---------------------------------------------------------------------------
// Public types

export interface RunnerLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface LocalInngestOptions {
  /** Port to listen on; 0 picks a free one. Default 8288, the Dev Server's port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (never exposed beyond this machine). */
  host?: string;
  /** The app's serve endpoint, e.g. http://127.0.0.1:3000/api/inngest. */
  appUrl: string;
  logger?: RunnerLogger;
  /** Clock used for sleeps, dedupe windows and cron ticks (tests can move it). */
  now?: () => number;
  /** Delay in ms before retry number `attempt` (1 = first retry). */
  backoff?: (attempt: number) => number;
  /** Fire cron triggers from a real minute timer. Default true; tests call `tick()`. */
  autoCron?: boolean;
  /** Sync the app on start (retrying until it answers). Default true. */
  syncOnStart?: boolean;
  /** Re-sync the app this often after the first sync, to pick up code changes. 0 = never. Default 15 s. */
  resyncIntervalMs?: number;
  /** How long an event id is remembered for dedupe. Default 24 h, as Inngest. */
  dedupeWindowMs?: number;
  /** Finished runs kept for /_runs. Default 500. */
  keepRuns?: number;
  /** Timeout of one Call Request. Default 5 min. */
  requestTimeoutMs?: number;
  /** First delay when the app cannot be reached (doubles up to 5 s). Default 500 ms. */
  unreachableDelayMs?: number;
  /** Give a run up after the app has been unreachable this long. Default 10 min. */
  unreachableGiveUpMs?: number;
}

export type RunStatus = "Queued" | "Running" | "Sleeping" | "Waiting" | "Completed" | "Failed" | "Cancelled" | "Skipped";

export interface StepView {
  id: string;
  name: string;
  op: string;
  status: "running" | "completed" | "errored" | "failed" | "sleeping" | "waiting" | "planned";
  attempts: number;
  startedAt: string;
  endedAt?: string;
  output?: unknown;
  error?: unknown;
  until?: string;
}

export interface RunView {
  runId: string;
  functionId: string;
  functionName: string;
  status: RunStatus;
  event: InngestEvent;
  startedAt: string;
  endedAt?: string;
  /** Call Requests made to the app for this run, including retries. */
  calls: number;
  output?: unknown;
  error?: unknown;
  reason?: string;
  steps: StepView[];
}

export interface InngestEvent {
  id: string;
  name: string;
  data: Record<string, unknown>;
  ts: number;
  user?: Record<string, unknown>;
  v?: string;
  [key: string]: unknown;
}

export interface FunctionConfig {
  id: string;
  name?: string;
  triggers: Array<{ event?: string; expression?: string; cron?: string }>;
  steps: Record<string, { id: string; name: string; runtime: { type: string; url: string }; retries?: { attempts?: number } }>;
  concurrency?: number | ConcurrencyOption | ConcurrencyOption[];
  singleton?: { key?: string; mode: "skip" | "cancel" };
  cancel?: Array<{ event: string; if?: string; timeout?: string }>;
  idempotency?: string;
  [key: string]: unknown;
}

interface ConcurrencyOption {
  limit: number;
  key?: string;
  scope?: string;
}

export interface LocalInngest {
  /** Base URL of the runner, e.g. http://127.0.0.1:8288. */
  readonly url: string;
  readonly port: number;
  /** Syncs the app now and returns the function ids it serves. */
  sync(): Promise<string[]>;
  /** Accepts events as if posted to /e/:key; returns their ids. */
  send(events: Partial<InngestEvent> | Array<Partial<InngestEvent>>): Promise<string[]>;
  /** Fires every cron trigger that matches the minute containing `at` (default: now). */
  tick(at?: Date): Promise<number>;
  runs(): RunView[];
  run(runId: string): RunView | undefined;
  /** How and when the app's functions were last registered. */
  lastSync(): { source: "in-band sync" | "out-of-band register"; at: string; functions: string[] } | undefined;
  /** Resolves once no run is queued or calling the app (sleeping/waiting runs do not count). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Internal state

interface MemoEntry {
  type: "data" | "error";
  data?: unknown;
  error?: unknown;
}

interface WorkItem {
  stepId: string | null;
  attempt: number;
}

interface Op {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  data?: unknown;
  error?: unknown;
  opts?: Record<string, unknown>;
}

interface Run {
  id: string;
  fn: FunctionConfig;
  event: InngestEvent;
  events: InngestEvent[];
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  calls: number;
  output?: unknown;
  error?: unknown;
  reason?: string;
  memo: Map<string, MemoEntry>;
  stack: string[];
  queue: WorkItem[];
  busy: boolean;
  /** Steps handed to the executor but not yet memoized (planned, sleeping, waiting). */
  pending: Set<string>;
  timers: Set<NodeJS.Timeout>;
  disableImmediate: boolean;
  version?: number;
  steps: Map<string, StepView>;
  singletonKey?: string;
  concurrencyKey?: string;
  parent?: { run: Run; stepId: string };
  unreachableSince?: number;
  unreachableTries?: number;
}

interface Waiter {
  run: Run;
  stepId: string;
  event: string;
  expression?: string;
  expiresAt: number;
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(["Completed", "Failed", "Cancelled", "Skipped"]);
const DEFAULT_RETRIES = 3;
const UNSUPPORTED_CONFIG = ["rateLimit", "throttle", "debounce", "batchEvents", "priority", "timeouts"] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function defaultBackoff(attempt: number): number {
  // 1 s, 2 s, 4 s … capped at 5 min, with ±20 % jitter so retries of many runs spread out.
  const base = Math.min(1000 * 2 ** (attempt - 1), 300_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function consoleLogger(): RunnerLogger {
  const line = (level: string, obj: Record<string, unknown>, msg: string): string => {
    const fields = Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    return `[inngest-local] ${level} ${msg}${fields ? ` ${fields}` : ""}`;
  };
  return {
    info: (o, m) => console.log(line("info", o, m)),
    warn: (o, m) => console.warn(line("warn", o, m)),
    error: (o, m) => console.error(line("error", o, m)),
  };
}

function errorMessage(err: unknown): string {
  if (isRecord(err) && typeof err.message === "string") return err.message;
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

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

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------

export async function startLocalInngest(options: LocalInngestOptions): Promise<LocalInngest> {
  const log = options.logger ?? consoleLogger();
  const now = options.now ?? Date.now;
  const backoff = options.backoff ?? defaultBackoff;
  const dedupeWindowMs = options.dedupeWindowMs ?? 24 * 60 * 60 * 1000;
  const keepRuns = options.keepRuns ?? 500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
  const unreachableDelayMs = options.unreachableDelayMs ?? 500;
  const unreachableGiveUpMs = options.unreachableGiveUpMs ?? 600_000;
  const appUrl = new URL(options.appUrl);

  let functions = new Map<string, FunctionConfig>();
  let crons = new Map<string, Cron[]>();
  const runs = new Map<string, Run>();
  const seenEventIds = new Map<string, number>();
  const idempotencyKeys = new Map<string, number>();
  const firedCronMinutes = new Map<string, number>();
  const waiters = new Set<Waiter>();
  const semaphores = new Map<string, { active: number; queue: Array<() => void> }>();
  const idleWaiters: Array<() => void> = [];
  const globalTimers = new Set<NodeJS.Timeout>();
  let closed = false;
  let syncing: Promise<string[]> | undefined;
  let lastSync: ReturnType<LocalInngest["lastSync"]>;

  // --- timers -------------------------------------------------------------

  function later(ms: number, fn: () => void, owner?: Run): void {
    // setTimeout overflows past ~24.8 days, so long sleeps re-arm in chunks.
    const delay = Math.max(0, Math.min(ms, 2 ** 31 - 1));
    const t = setTimeout(() => {
      (owner?.timers ?? globalTimers).delete(t);
      if (closed) return;
      if (delay < ms) later(ms - delay, fn, owner);
      else fn();
    }, delay);
    (owner?.timers ?? globalTimers).add(t);
  }

  // --- registry -------------------------------------------------------------

  function register(configs: FunctionConfig[], source: "in-band sync" | "out-of-band register"): string[] {
    const next = new Map<string, FunctionConfig>();
    const nextCrons = new Map<string, Cron[]>();
    for (const fn of configs) {
      next.set(fn.id, fn);
      for (const key of UNSUPPORTED_CONFIG) {
        if (fn[key] !== undefined) log.warn({ fn: fn.id, option: key }, "option not supported by the local runner; ignored");
      }
      for (const t of fn.triggers ?? []) {
        if (t.cron) {
          try {
            nextCrons.set(fn.id, [...(nextCrons.get(fn.id) ?? []), parseCron(t.cron)]);
          } catch (err) {
            log.error({ fn: fn.id, cron: t.cron, error: errorMessage(err) }, "invalid cron trigger; ignored");
          }
        }
        if (t.expression) {
          try {
            checkExpression(t.expression);
          } catch (err) {
            log.error({ fn: fn.id, expression: t.expression, error: errorMessage(err) }, "unsupported trigger expression");
          }
        }
      }
    }
    const changed = JSON.stringify([...functions.keys()].sort()) !== JSON.stringify([...next.keys()].sort());
    functions = next;
    crons = nextCrons;
    lastSync = { source, at: new Date(now()).toISOString(), functions: [...next.keys()] };
    if (changed) log.info({ source, functions: [...next.keys()] }, "app synced");
    return [...next.keys()];
  }

  async function doSync(): Promise<string[]> {
    // In-band sync: the SDK answers the PUT with its function configs. If the app has
    // in-band sync switched off it registers out of band instead, by POSTing to our
    // /fn/register (its INNGEST_BASE_URL must point here), before it answers the PUT.
    const before = functions;
    const res = await fetch(appUrl, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band", "x-inngest-server-kind": "dev" },
      body: JSON.stringify({ url: appUrl.href }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sync of ${appUrl.href} answered ${res.status}: ${text.slice(0, 300)}`);
    const body = parseJson(text);
    if (res.headers.get("x-inngest-sync-kind") === "in_band" && isRecord(body) && Array.isArray(body.functions)) {
      return register(body.functions as FunctionConfig[], "in-band sync");
    }
    if (functions !== before) return [...functions.keys()];
    throw new Error(`sync of ${appUrl.href} returned no functions (${text.slice(0, 300)})`);
  }

  function sync(): Promise<string[]> {
    syncing ??= doSync().finally(() => {
      syncing = undefined;
    });
    return syncing;
  }

  function syncUntilReady(delayMs = 500, warned = false): void {
    if (closed) return;
    sync().then(
      () => {
        const every = options.resyncIntervalMs ?? 15_000;
        if (every > 0) resyncLoop(every);
      },
      (err: unknown) => {
        if (!warned) log.warn({ app: appUrl.href, error: errorMessage(err) }, "app not reachable yet; will keep trying");
        later(delayMs, () => syncUntilReady(Math.min(delayMs * 2, 5000), true));
      },
    );
  }

  function resyncLoop(every: number): void {
    later(every, () => {
      sync().catch((err: unknown) => log.warn({ error: errorMessage(err) }, "re-sync failed"));
      resyncLoop(every);
    });
  }

  // --- views ----------------------------------------------------------------

  function view(run: Run): RunView {
    return {
      runId: run.id,
      functionId: run.fn.id,
      functionName: run.fn.name ?? run.fn.id,
      status: run.status,
      event: run.event,
      startedAt: new Date(run.startedAt).toISOString(),
      endedAt: run.endedAt === undefined ? undefined : new Date(run.endedAt).toISOString(),
      calls: run.calls,
      output: run.output,
      error: run.error,
      reason: run.reason,
      steps: [...run.steps.values()].map((s) => ({ ...s })),
    };
  }

  function listRuns(): RunView[] {
    return [...runs.values()].reverse().map(view);
  }

  function pruneRuns(): void {
    const finished = [...runs.values()].filter((r) => TERMINAL.has(r.status));
    for (const r of finished.slice(0, Math.max(0, finished.length - keepRuns))) runs.delete(r.id);
  }

  function isIdle(): boolean {
    // Idle = every live run is parked on a sleep, a wait or an invoke; a run with nothing
    // pending and nothing queued has a retry timer running, so it is not idle.
    for (const r of runs.values()) {
      if (TERMINAL.has(r.status)) continue;
      if (r.busy || r.queue.length > 0 || r.pending.size === 0) return false;
    }
    return true;
  }

  function checkIdle(): void {
    if (!isIdle()) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  // --- events ---------------------------------------------------------------

  function normalizeEvent(raw: unknown, internalId: string): InngestEvent | undefined {
    if (!isRecord(raw) || typeof raw.name !== "string" || raw.name === "") return undefined;
    const data = isRecord(raw.data) ? raw.data : {};
    const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : internalId;
    const ts = typeof raw.ts === "number" ? raw.ts : now();
    return { ...raw, id, name: raw.name, data, ts };
  }

  function remember(map: Map<string, number>, key: string): boolean {
    const t = now();
    for (const [k, at] of map) if (t - at > dedupeWindowMs) map.delete(k);
    if (map.has(key)) return false;
    map.set(key, t);
    return true;
  }

  async function ingest(raw: unknown, seed?: string): Promise<{ ids: string[]; error?: string }> {
    const list = Array.isArray(raw) ? raw : [raw];
    const ids: string[] = [];
    const accepted: InngestEvent[] = [];
    for (const [i, item] of list.entries()) {
      const internalId = seed ? seededEventId(seed, i) : ulid(now());
      const event = normalizeEvent(item, internalId);
      if (!event) return { ids: [], error: `event ${i} has no name` };
      ids.push(internalId);
      if (seed && !remember(seenEventIds, `seed:${internalId}`)) {
        log.info({ event: event.name, id: internalId }, "event already received (retried send); not triggering again");
        continue;
      }
      if (event.id !== internalId && !remember(seenEventIds, `id:${event.id}`)) {
        log.info({ event: event.name, id: event.id }, "duplicate event id within 24h; not triggering functions");
        continue;
      }
      accepted.push(event);
    }
    if (accepted.length > 0 && functions.size === 0) {
      await sync().catch((err: unknown) => log.warn({ error: errorMessage(err) }, "no functions synced yet"));
    }
    for (const event of accepted) dispatch(event);
    return { ids };
  }

  function matches(expression: string | undefined, scope: Record<string, unknown>, context: Record<string, unknown>): boolean {
    if (!expression) return true;
    try {
      return Boolean(evaluate(expression, scope));
    } catch (err) {
      log.warn({ ...context, expression, error: errorMessage(err) }, "expression not supported by the local runner; treated as no match");
      return false;
    }
  }

  function eventNameMatches(pattern: string, name: string): boolean {
    if (pattern === name) return true;
    return pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));
  }

  function dispatch(event: InngestEvent): void {
    // Cancellations and waits see the event before new runs start, so a run never
    // matches the event that started it.
    for (const run of runs.values()) {
      if (TERMINAL.has(run.status)) continue;
      for (const c of run.fn.cancel ?? []) {
        if (c.event !== event.name) continue;
        if (c.timeout) {
          const until = sleepUntil(c.timeout, run.startedAt);
          if (now() > until) continue;
        }
        if (matches(c.if, { event: run.event, async: event }, { fn: run.fn.id, run: run.id })) {
          cancelRun(run, `cancelled by event ${event.name} (${event.id})`);
          break;
        }
      }
    }
    for (const w of [...waiters]) {
      if (w.event !== event.name || TERMINAL.has(w.run.status)) continue;
      if (!matches(w.expression, { event: w.run.event, async: event }, { fn: w.run.fn.id, run: w.run.id })) continue;
      waiters.delete(w);
      resolveAsyncStep(w.run, w.stepId, { type: "data", data: event }, "event received");
    }
    let started = 0;
    for (const fn of functions.values()) {
      const hit = (fn.triggers ?? []).some(
        (t) => t.event !== undefined && eventNameMatches(t.event, event.name) && matches(t.expression, { event }, { fn: fn.id }),
      );
      if (hit && startRun(fn, event)) started++;
    }
    if (started > 0 || !event.name.startsWith("inngest/")) {
      log.info({ event: event.name, id: event.id, runs: started }, "event received");
    }
  }

  // --- runs -----------------------------------------------------------------

  function keyOf(expression: string | undefined, event: InngestEvent, fnId: string): string | undefined {
    if (!expression) return undefined;
    try {
      return JSON.stringify(evaluate(expression, { event }));
    } catch (err) {
      log.warn({ fn: fnId, expression, error: errorMessage(err) }, "key expression not supported; using one shared key");
      return "";
    }
  }

  function newRun(fn: FunctionConfig, event: InngestEvent): Run {
    return {
      id: ulid(now()),
      fn,
      event,
      events: [event],
      status: "Queued",
      startedAt: now(),
      calls: 0,
      memo: new Map(),
      stack: [],
      queue: [],
      busy: false,
      pending: new Set(),
      timers: new Set(),
      disableImmediate: false,
      steps: new Map(),
    };
  }

  function startRun(fn: FunctionConfig, event: InngestEvent, parent?: Run["parent"]): Run | undefined {
    const run = newRun(fn, event);
    run.parent = parent;
    if (fn.idempotency) {
      const key = `${fn.id}:${keyOf(fn.idempotency, event, fn.id) ?? ""}`;
      if (!remember(idempotencyKeys, key)) {
        log.info({ fn: fn.id, event: event.name, key }, "run skipped: idempotency key already used within 24h");
        return undefined;
      }
    }
    if (fn.singleton) {
      run.singletonKey = `${fn.id}:${keyOf(fn.singleton.key, event, fn.id) ?? ""}`;
      const existing = [...runs.values()].find((r) => r.singletonKey === run.singletonKey && !TERMINAL.has(r.status));
      if (existing) {
        if (fn.singleton.mode === "skip") {
          run.status = "Skipped";
          run.reason = `singleton: run ${existing.id} is still active`;
          run.endedAt = now();
          runs.set(run.id, run);
          log.info({ fn: fn.id, run: run.id, active: existing.id, outcome: "skipped" }, "run skipped (singleton)");
          pruneRuns();
          return run;
        }
        cancelRun(existing, `singleton: replaced by run ${run.id}`);
      }
    }
    const conc = Array.isArray(fn.concurrency) ? fn.concurrency[0] : fn.concurrency;
    if (conc !== undefined) {
      const opt = typeof conc === "number" ? { limit: conc } : conc;
      if (opt.limit > 0) run.concurrencyKey = `${fn.id}:${keyOf(opt.key, event, fn.id) ?? ""}#${opt.limit}`;
    }
    runs.set(run.id, run);
    pruneRuns();
    log.info({ fn: fn.id, run: run.id, event: event.name, eventId: event.id }, "run started");
    enqueue(run, { stepId: null, attempt: 0 });
    return run;
  }

  function enqueue(run: Run, item: WorkItem): void {
    if (TERMINAL.has(run.status)) return;
    if (item.stepId === null && run.queue.some((q) => q.stepId === null && q.attempt === item.attempt)) return;
    run.queue.push(item);
    void pump(run);
  }

  async function acquire(key: string | undefined): Promise<() => void> {
    if (!key) return () => {};
    const limit = Number(key.slice(key.lastIndexOf("#") + 1));
    let s = semaphores.get(key);
    if (!s) {
      s = { active: 0, queue: [] };
      semaphores.set(key, s);
    }
    const sem = s;
    if (sem.active >= limit) await new Promise<void>((resolve) => sem.queue.push(resolve));
    sem.active++;
    return () => {
      sem.active--;
      sem.queue.shift()?.();
    };
  }

  async function pump(run: Run): Promise<void> {
    // One Call Request at a time per run: parallel steps run one after another, which keeps
    // memoized state simple and is still a valid schedule for Inngest's semantics.
    if (run.busy) return;
    run.busy = true;
    try {
      while (run.queue.length > 0 && !TERMINAL.has(run.status) && !closed) {
        const item = run.queue.shift()!;
        const release = await acquire(run.concurrencyKey);
        try {
          if (TERMINAL.has(run.status)) break;
          await call(run, item);
        } finally {
          release();
        }
      }
      if (!TERMINAL.has(run.status) && run.queue.length === 0) {
        run.status = [...run.pending].some((id) => run.steps.get(id)?.status === "waiting") ? "Waiting" : "Sleeping";
        if (run.pending.size === 0) run.status = "Queued";
      }
    } finally {
      run.busy = false;
      checkIdle();
    }
  }

  function stepView(run: Run, op: Op): StepView {
    let s = run.steps.get(op.id);
    if (!s) {
      s = {
        id: op.id,
        name: op.displayName ?? op.name ?? op.id,
        op: op.op,
        status: "running",
        attempts: 0,
        startedAt: new Date(now()).toISOString(),
      };
      run.steps.set(op.id, s);
    }
    s.op = op.op;
    return s;
  }

  function memoize(run: Run, stepId: string, entry: MemoEntry): void {
    if (!run.memo.has(stepId)) run.stack.push(stepId);
    run.memo.set(stepId, entry);
    run.pending.delete(stepId);
  }

  function resolveAsyncStep(run: Run, stepId: string, entry: MemoEntry, outcome: string): void {
    if (TERMINAL.has(run.status) || !run.pending.has(stepId)) return;
    memoize(run, stepId, entry);
    const s = run.steps.get(stepId);
    if (s) {
      s.status = entry.type === "error" ? "failed" : "completed";
      s.endedAt = new Date(now()).toISOString();
      if (entry.type === "error") s.error = entry.error;
      else if (s.op !== "Sleep") s.output = entry.data;
    }
    log.info({ fn: run.fn.id, run: run.id, step: s?.name ?? stepId, outcome }, "step resumed");
    run.status = "Running";
    enqueue(run, { stepId: null, attempt: 0 });
  }

  function maxAttempts(run: Run): number {
    const retries = run.fn.steps?.step?.retries?.attempts;
    return (typeof retries === "number" ? retries : DEFAULT_RETRIES) + 1;
  }

  function finish(run: Run, status: "Completed" | "Failed" | "Cancelled", result: { output?: unknown; error?: unknown; reason?: string }): void {
    if (TERMINAL.has(run.status)) return;
    run.status = status;
    run.endedAt = now();
    run.output = result.output;
    run.error = result.error;
    run.reason = result.reason;
    run.queue.length = 0;
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    for (const w of [...waiters]) if (w.run === run) waiters.delete(w);
    const base = { fn: run.fn.id, run: run.id, calls: run.calls };
    if (status === "Completed") log.info({ ...base, outcome: "completed" }, "run completed");
    else if (status === "Failed") log.error({ ...base, outcome: "failed", error: errorMessage(result.error) }, "run failed");
    else log.info({ ...base, outcome: "cancelled", reason: result.reason }, "run cancelled");

    if (run.parent) {
      const { run: parent, stepId } = run.parent;
      const entry: MemoEntry =
        status === "Completed"
          ? { type: "data", data: result.output ?? null }
          : { type: "error", error: isRecord(result.error) ? result.error : { name: "Error", message: result.reason ?? errorMessage(result.error) } };
      resolveAsyncStep(parent, stepId, entry, status === "Completed" ? "invoked function completed" : "invoked function failed");
    }
    // Inngest emits these system events; onFailure handlers trigger on the first. Runs that
    // were themselves started by one do not emit more, so handlers cannot loop.
    const systemRun = run.event.name.startsWith("inngest/function.");
    if (!systemRun && status !== "Cancelled") {
      const data = { function_id: run.fn.id, run_id: run.id, event: run.event };
      if (status === "Failed") {
        void ingest({ name: "inngest/function.failed", data: { ...data, error: result.error } });
      }
      void ingest({
        name: "inngest/function.finished",
        data: status === "Completed" ? { ...data, result: result.output ?? null } : { ...data, error: result.error },
      });
    } else if (!systemRun) {
      void ingest({ name: "inngest/function.cancelled", data: { function_id: run.fn.id, run_id: run.id, event: run.event } });
    }
    pruneRuns();
    checkIdle();
  }

  function cancelRun(run: Run, reason: string): void {
    finish(run, "Cancelled", { reason });
  }

  function retryLater(run: Run, item: WorkItem, why: string, retryAfter: string | null, error: unknown): void {
    const next = item.attempt + 1;
    if (next >= maxAttempts(run)) {
      finish(run, "Failed", { error, reason: why });
      return;
    }
    let delay = backoff(next);
    if (retryAfter) {
      const secs = Number(retryAfter);
      const at = Number.isFinite(secs) ? now() + secs * 1000 : Date.parse(retryAfter);
      if (Number.isFinite(at)) delay = Math.max(0, at - now());
    }
    log.warn({ fn: run.fn.id, run: run.id, step: item.stepId ?? "(function)", attempt: item.attempt, nextAttempt: next, delayMs: delay, error: errorMessage(error) }, "retry scheduled");
    later(delay, () => enqueue(run, { stepId: item.stepId, attempt: next }), run);
  }

  async function call(run: Run, item: WorkItem): Promise<void> {
    const runtime = run.fn.steps?.step?.runtime?.url;
    if (!runtime) {
      finish(run, "Failed", { error: { name: "Error", message: `function ${run.fn.id} has no HTTP runtime URL` } });
      return;
    }
    const url = new URL(runtime);
    url.searchParams.set("fnId", run.fn.id);
    url.searchParams.set("stepId", item.stepId ?? "step");
    const steps: Record<string, MemoEntry> = {};
    for (const [id, entry] of run.memo) steps[id] = entry;
    const body = {
      event: run.event,
      events: run.events,
      steps,
      // ctx.fn_id is left out on purpose: the v4 SDK only checkpoints when it is present,
      // and checkpointing needs the /v1/checkpoint API this runner does not implement.
      ctx: {
        run_id: run.id,
        attempt: item.attempt,
        max_attempts: maxAttempts(run),
        disable_immediate_execution: run.disableImmediate,
        use_api: false,
        stack: { stack: run.stack, current: run.stack.length - 1 },
      },
      ...(run.version === undefined ? {} : { version: run.version }),
    };
    run.status = "Running";
    run.calls++;
    const base = { fn: run.fn.id, run: run.id, attempt: item.attempt };

    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-inngest-server-kind": "dev",
          "x-request-id": ulid(now()),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      text = await res.text();
    } catch (err) {
      if (TERMINAL.has(run.status)) return;
      // The app being down (restarting, recompiling) is not the function failing: retry the
      // same attempt every few seconds instead of spending the function's retries, up to
      // `unreachableGiveUpMs`.
      run.unreachableSince ??= now();
      const error = { name: "Error", message: `call to ${url.origin} failed: ${errorMessage(err)}` };
      if (now() - run.unreachableSince > unreachableGiveUpMs) {
        finish(run, "Failed", { error, reason: "app unreachable" });
        return;
      }
      run.unreachableTries = (run.unreachableTries ?? 0) + 1;
      const delay = Math.min(unreachableDelayMs * 2 ** (run.unreachableTries - 1), 5000);
      log.warn({ ...base, step: item.stepId ?? "(function)", outcome: "app unreachable", delayMs: delay, error: error.message }, "call failed; will retry");
      later(delay, () => enqueue(run, item), run);
      return;
    }
    run.unreachableSince = undefined;
    run.unreachableTries = undefined;
    if (TERMINAL.has(run.status)) return; // cancelled while the call was in flight
    const version = Number(res.headers.get("x-inngest-req-version"));
    if (Number.isInteger(version) && version > 0) run.version = version;
    const payload = parseJson(text);
    const noRetry = res.headers.get("x-inngest-no-retry") === "true";
    const retryAfter = res.headers.get("retry-after");

    if (res.status === 200) {
      finish(run, "Completed", { output: payload });
      return;
    }
    if (res.status === 206 && Array.isArray(payload)) {
      handleOps(run, item, payload as Op[], noRetry, retryAfter);
      return;
    }
    if (res.status === 206 && isRecord(payload) && payload.op === "RunComplete") {
      finish(run, "Completed", { output: payload.data ?? null });
      return;
    }
    if (res.status >= 400 && res.status < 500 && (noRetry || res.status === 400)) {
      log.warn({ ...base, step: item.stepId ?? "(function)", outcome: "non-retriable error", error: errorMessage(payload) }, "function errored");
      finish(run, "Failed", { error: payload });
      return;
    }
    log.warn({ ...base, step: item.stepId ?? "(function)", status: res.status, outcome: "error", error: errorMessage(payload) }, "function errored");
    if (noRetry) {
      finish(run, "Failed", { error: payload });
      return;
    }
    retryLater(run, item, `app answered ${res.status}`, retryAfter, payload);
  }

  function handleOps(run: Run, item: WorkItem, ops: Op[], noRetry: boolean, retryAfter: string | null): void {
    if (ops.length > 1) run.disableImmediate = true;
    let discover = false;
    for (const op of ops) {
      const base = { fn: run.fn.id, run: run.id, attempt: item.attempt };
      switch (op.op) {
        case "StepRun":
        case "Step": {
          const s = stepView(run, op);
          s.attempts = item.attempt + 1;
          s.status = "completed";
          s.output = op.data ?? null;
          s.endedAt = new Date(now()).toISOString();
          memoize(run, op.id, { type: "data", data: op.data ?? null });
          log.info({ ...base, step: s.name, outcome: "ok" }, "step completed");
          discover = true;
          break;
        }
        case "StepError": {
          const s = stepView(run, op);
          s.attempts = item.attempt + 1;
          s.status = "errored";
          s.error = op.error;
          log.warn({ ...base, step: s.name, outcome: "error", error: errorMessage(op.error) }, "step errored");
          if (noRetry) {
            failStep(run, op, s, base);
            discover = true;
          } else {
            retryLater(run, { stepId: op.id, attempt: item.attempt }, `step ${s.name} kept failing`, retryAfter, op.error);
          }
          break;
        }
        case "StepFailed": {
          const s = stepView(run, op);
          s.attempts = item.attempt + 1;
          failStep(run, op, s, base);
          discover = true;
          break;
        }
        case "StepPlanned": {
          if (run.memo.has(op.id) || run.pending.has(op.id)) break;
          const s = stepView(run, op);
          s.status = "planned";
          run.pending.add(op.id);
          log.info({ ...base, step: s.name, outcome: "planned" }, "step planned");
          // A planned step is run by a Call Request naming it; once that memoizes it the
          // step is no longer pending.
          run.queue.push({ stepId: op.id, attempt: 0 });
          break;
        }
        case "Sleep": {
          if (run.memo.has(op.id) || run.pending.has(op.id)) break;
          const s = stepView(run, op);
          const value = typeof op.opts?.duration === "string" ? op.opts.duration : (op.name ?? "0s");
          let until: number;
          try {
            until = sleepUntil(value, now());
          } catch (err) {
            finish(run, "Failed", { error: { name: "Error", message: errorMessage(err) } });
            return;
          }
          s.status = "sleeping";
          s.until = new Date(until).toISOString();
          run.pending.add(op.id);
          log.info({ ...base, step: s.name, outcome: "sleeping", until: s.until }, "step sleeping");
          later(until - now(), () => resolveAsyncStep(run, op.id, { type: "data", data: null }, "sleep over"), run);
          break;
        }
        case "WaitForEvent": {
          if (run.memo.has(op.id) || run.pending.has(op.id)) break;
          const s = stepView(run, op);
          const eventName = typeof op.opts?.event === "string" ? op.opts.event : (op.name ?? "");
          const timeout = typeof op.opts?.timeout === "string" ? op.opts.timeout : "1w";
          const expiresAt = sleepUntil(timeout, now());
          const expression = typeof op.opts?.if === "string" ? op.opts.if : undefined;
          const waiter: Waiter = { run, stepId: op.id, event: eventName, expression, expiresAt };
          waiters.add(waiter);
          run.pending.add(op.id);
          s.status = "waiting";
          s.until = new Date(expiresAt).toISOString();
          log.info({ ...base, step: s.name, outcome: "waiting", event: eventName, until: s.until }, "step waiting for event");
          later(expiresAt - now(), () => {
            if (!waiters.delete(waiter)) return;
            resolveAsyncStep(run, op.id, { type: "data", data: null }, "wait timed out");
          }, run);
          break;
        }
        case "InvokeFunction": {
          if (run.memo.has(op.id) || run.pending.has(op.id)) break;
          const s = stepView(run, op);
          const target = typeof op.opts?.function_id === "string" ? functions.get(op.opts.function_id) : undefined;
          if (!target) {
            failStep(run, { ...op, error: { name: "Error", message: `invoked function ${String(op.opts?.function_id)} is not synced` } }, s, base);
            discover = true;
            break;
          }
          const payload = isRecord(op.opts?.payload) ? op.opts.payload : {};
          const event: InngestEvent = {
            ...payload,
            id: ulid(now()),
            name: "inngest/function.invoked",
            data: isRecord(payload.data) ? payload.data : {},
            ts: now(),
          };
          run.pending.add(op.id);
          s.status = "waiting";
          log.info({ ...base, step: s.name, outcome: "invoking", target: target.id }, "step invoking function");
          const child = startRun(target, event, { run, stepId: op.id });
          if (!child || child.status === "Skipped") {
            resolveAsyncStep(run, op.id, { type: "error", error: { name: "Error", message: `invoke of ${target.id} was skipped` } }, "invoke skipped");
          }
          break;
        }
        case "RunComplete": {
          finish(run, "Completed", { output: op.data ?? null });
          return;
        }
        case "DeferAdd":
        case "DeferAbort":
          log.warn({ ...base, op: op.op }, "deferred functions are not supported by the local runner; ignored");
          break;
        default: {
          finish(run, "Failed", {
            error: { name: "Error", message: `step op ${op.op} is not supported by the local runner (use the Inngest Dev Server)` },
          });
          return;
        }
      }
    }
    if (discover && !run.queue.some((q) => q.stepId === null && q.attempt === 0)) {
      run.queue.push({ stepId: null, attempt: 0 });
    }
  }

  function failStep(run: Run, op: Op, s: StepView, base: Record<string, unknown>): void {
    s.status = "failed";
    s.error = op.error;
    s.endedAt = new Date(now()).toISOString();
    memoize(run, op.id, { type: "error", error: op.error });
    log.error({ ...base, step: s.name, outcome: "failed", error: errorMessage(op.error) }, "step failed");
  }

  // --- cron -----------------------------------------------------------------

  async function tick(at?: Date): Promise<number> {
    const date = at ?? new Date(now());
    const minute = Math.floor(date.getTime() / 60_000);
    if (functions.size === 0) await sync().catch(() => undefined);
    let fired = 0;
    for (const [fnId, list] of crons) {
      const fn = functions.get(fnId);
      if (!fn) continue;
      for (const cron of list) {
        if (!cronMatches(cron, date)) continue;
        // One run per function, cron and minute, however often the minute is ticked.
        const key = `${fnId}|${cron.source}`;
        if (firedCronMinutes.get(key) === minute) continue;
        firedCronMinutes.set(key, minute);
        const event: InngestEvent = {
          id: ulid(now()),
          name: "inngest/scheduled.timer",
          data: { cron: cron.source },
          ts: minute * 60_000,
        };
        log.info({ fn: fnId, cron: cron.source, at: new Date(minute * 60_000).toISOString() }, "cron fired");
        if (startRun(fn, event)) fired++;
      }
    }
    return fired;
  }

  function cronLoop(): void {
    const t = now();
    const nextMinute = (Math.floor(t / 60_000) + 1) * 60_000;
    later(nextMinute - t + 5, () => {
      void tick(new Date(nextMinute));
      cronLoop();
    });
  }

  // --- HTTP -----------------------------------------------------------------

  function statusPage(): string {
    const rows = listRuns()
      .slice(0, 100)
      .map((r) => {
        const steps = r.steps.map((s) => `${escapeHtml(s.name)} (${s.status}${s.attempts > 1 ? `, ${s.attempts} attempts` : ""})`).join("<br>");
        const err = r.error === undefined ? (r.reason ?? "") : errorMessage(r.error);
        return `<tr class="${r.status}"><td>${escapeHtml(r.startedAt)}</td><td>${escapeHtml(r.functionId)}</td><td><code>${r.runId}</code></td><td>${r.status}</td><td>${escapeHtml(r.event.name)}</td><td>${steps}</td><td>${escapeHtml(err)}</td></tr>`;
      })
      .join("\n");
    const fns = [...functions.values()]
      .map((f) => `<li><code>${escapeHtml(f.id)}</code> ← ${escapeHtml(f.triggers.map((t) => t.event ?? `cron ${t.cron}`).join(", "))}</li>`)
      .join("");
    return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>inngest-local</title>
<style>body{font:14px system-ui;margin:1.5em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
.Failed td{background:#fde2e2}.Completed td{background:#e6f6e6}.Sleeping td,.Waiting td{background:#eef}.Cancelled td,.Skipped td{color:#777}</style></head>
<body><h1>inngest-local</h1><p>Local Inngest runner for development and tests. App: <code>${escapeHtml(appUrl.href)}</code>. JSON: <a href="/_runs">/_runs</a>.</p>
<h2>Functions (${functions.size})</h2><p>${lastSync ? `Last sync: ${escapeHtml(lastSync.source)} at ${escapeHtml(lastSync.at)}` : "Not synced yet: is the app running with INNGEST_DEV=1?"}</p><ul>${fns}</ul>
<h2>Recent runs</h2><table><tr><th>started</th><th>function</th><th>run</th><th>status</th><th>event</th><th>steps</th><th>error</th></tr>${rows}</table></body></html>`;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (method === "POST" && /^\/e\/[^/]+$/.test(path)) {
      const raw = parseJson(await readBody(req));
      const seed = req.headers["x-inngest-event-id-seed"];
      const result = await ingest(raw, typeof seed === "string" ? seed : undefined);
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
      register(body.functions as FunctionConfig[], "out-of-band register");
      sendJson(res, 200, { ok: true, modified: true });
      return;
    }
    if (method === "POST" && path === "/_sync") {
      try {
        sendJson(res, 200, { functions: await sync() });
      } catch (err) {
        sendJson(res, 502, { error: errorMessage(err) });
      }
      return;
    }
    if (method === "POST" && path === "/_tick") {
      sendJson(res, 200, { fired: await tick() });
      return;
    }
    const runMatch = /^\/v0\/runs\/([^/]+)\/(actions|batch)$/.exec(path);
    if (method === "GET" && runMatch) {
      const run = runs.get(runMatch[1]!);
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
        listRuns().filter((r) => (!status || r.status === status) && (!fn || r.functionId === fn || r.functionId.endsWith(`-${fn}`))),
      );
      return;
    }
    const one = /^\/_runs\/([^/]+)$/.exec(path);
    if (method === "GET" && one) {
      const run = runs.get(one[1]!);
      if (run) sendJson(res, 200, view(run));
      else sendJson(res, 404, { error: "run not found" });
      return;
    }
    if (method === "GET" && path === "/_functions") {
      sendJson(res, 200, [...functions.values()]);
      return;
    }
    if (method === "GET" && path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(statusPage());
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

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ error: errorMessage(err), path: req.url }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: errorMessage(err) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8288, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  log.info({ url: baseUrl, app: appUrl.href }, "local Inngest runner listening");

  if (options.syncOnStart ?? true) syncUntilReady();
  if (options.autoCron ?? true) cronLoop();

  return {
    url: baseUrl,
    port: address.port,
    sync,
    async send(events) {
      const result = await ingest(events);
      if (result.error) throw new Error(result.error);
      return result.ids;
    },
    tick,
    runs: listRuns,
    lastSync: () => lastSync,
    run: (id) => {
      const r = runs.get(id);
      return r ? view(r) : undefined;
    },
    idle: () =>
      new Promise<void>((resolve) => {
        if (isIdle()) resolve();
        else idleWaiters.push(resolve);
      }),
    async close() {
      closed = true;
      for (const t of globalTimers) clearTimeout(t);
      for (const r of runs.values()) for (const t of r.timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
