/**
 * The runner's state: its settings and every map the modules share, in one object passed
 * explicitly to each function (no module-level state, so two runners in one process, as in
 * the tests, never see each other's runs).
 *
 * `hooks` are the three entry points that sit above the module that needs them (finishing a
 * run emits events, a cron tick starts runs, the scheduler makes calls). Passing them in keeps
 * the modules free of import cycles.
 */
import type { Cron } from "./cron";
import type {
  FunctionConfig,
  InngestEvent,
  LocalInngest,
  LocalInngestOptions,
  Run,
  RunnerLogger,
  WorkItem,
  Waiter,
} from "./types";
import { TERMINAL } from "./types";
import { consoleLogger, defaultBackoff } from "./util";

export interface RunnerHooks {
  ingest(state: RunnerState, raw: unknown, seed?: string): Promise<{ ids: string[]; error?: string }>;
  startRun(state: RunnerState, fn: FunctionConfig, event: InngestEvent, parent?: Run["parent"]): Run | undefined;
  call(state: RunnerState, run: Run, item: WorkItem): Promise<void>;
}

export interface RunnerState {
  readonly log: RunnerLogger;
  readonly now: () => number;
  readonly backoff: (attempt: number) => number;
  readonly dedupeWindowMs: number;
  readonly keepRuns: number;
  readonly requestTimeoutMs: number;
  readonly unreachableDelayMs: number;
  readonly unreachableGiveUpMs: number;
  readonly resyncIntervalMs: number;
  readonly appUrl: URL;
  readonly hooks: RunnerHooks;

  /** The app's functions and their parsed crons, replaced whole at each sync. */
  functions: Map<string, FunctionConfig>;
  crons: Map<string, Cron[]>;
  readonly runs: Map<string, Run>;
  /** Event ids and idempotency keys seen, with when (dedupe window). */
  readonly seenEventIds: Map<string, number>;
  readonly idempotencyKeys: Map<string, number>;
  /** Per function and cron, the minute it last fired. */
  readonly firedCronMinutes: Map<string, number>;
  readonly waiters: Set<Waiter>;
  /** Concurrency slots per key. */
  readonly semaphores: Map<string, { active: number; queue: Array<() => void> }>;
  readonly idleWaiters: Array<() => void>;
  /** Timers not owned by a run (sync retries, re-sync, cron minute). */
  readonly globalTimers: Set<NodeJS.Timeout>;
  /** Expressions already reported as invalid, so each is logged once, not at every run. */
  readonly reported: Set<string>;
  closed: boolean;
  syncing: Promise<string[]> | undefined;
  lastSync: ReturnType<LocalInngest["lastSync"]>;
}

export function createState(options: LocalInngestOptions, hooks: RunnerHooks): RunnerState {
  return {
    log: options.logger ?? consoleLogger(),
    now: options.now ?? Date.now,
    backoff: options.backoff ?? defaultBackoff,
    dedupeWindowMs: options.dedupeWindowMs ?? 24 * 60 * 60 * 1000,
    keepRuns: options.keepRuns ?? 500,
    requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
    unreachableDelayMs: options.unreachableDelayMs ?? 500,
    unreachableGiveUpMs: options.unreachableGiveUpMs ?? 600_000,
    resyncIntervalMs: options.resyncIntervalMs ?? 15_000,
    appUrl: new URL(options.appUrl),
    hooks,
    functions: new Map(),
    crons: new Map(),
    runs: new Map(),
    seenEventIds: new Map(),
    idempotencyKeys: new Map(),
    firedCronMinutes: new Map(),
    waiters: new Set(),
    semaphores: new Map(),
    idleWaiters: [],
    globalTimers: new Set(),
    reported: new Set(),
    closed: false,
    syncing: undefined,
    lastSync: undefined,
  };
}

/** Runs `fn` after `ms`, unless the runner has closed; a run's timers die with the run. */
export function later(state: RunnerState, ms: number, fn: () => void, owner?: Run): void {
  // setTimeout overflows past ~24.8 days, so long sleeps re-arm in chunks.
  const delay = Math.max(0, Math.min(ms, 2 ** 31 - 1));
  const t = setTimeout(() => {
    (owner?.timers ?? state.globalTimers).delete(t);
    if (state.closed) return;
    if (delay < ms) later(state, ms - delay, fn, owner);
    else fn();
  }, delay);
  (owner?.timers ?? state.globalTimers).add(t);
}

/** Records `key` now; false if it was already seen within the dedupe window. */
export function remember(state: RunnerState, map: Map<string, number>, key: string): boolean {
  const t = state.now();
  for (const [k, at] of map) if (t - at > state.dedupeWindowMs) map.delete(k);
  if (map.has(key)) return false;
  map.set(key, t);
  return true;
}

/** True the first time `key` is reported; the caller logs only then. */
export function firstReport(state: RunnerState, key: string): boolean {
  if (state.reported.has(key)) return false;
  state.reported.add(key);
  return true;
}

export function isIdle(state: RunnerState): boolean {
  // Idle = every live run is parked on a sleep, a wait or an invoke; a run with nothing
  // pending and nothing queued has a retry timer running, so it is not idle.
  for (const r of state.runs.values()) {
    if (TERMINAL.has(r.status)) continue;
    if (r.busy || r.queue.length > 0 || r.pending.size === 0) return false;
  }
  return true;
}

export function checkIdle(state: RunnerState): void {
  if (!isIdle(state)) return;
  for (const w of state.idleWaiters.splice(0)) w();
}
