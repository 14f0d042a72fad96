/** The runner's types: the public API (LocalInngest, RunView, …) and the internal run state. */
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

export type RunStatus =
  | "Queued"
  | "Running"
  | "Sleeping"
  | "Waiting"
  | "Completed"
  | "Failed"
  | "Cancelled"
  | "Skipped";

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
  steps: Record<
    string,
    { id: string; name: string; runtime: { type: string; url: string }; retries?: { attempts?: number } }
  >;
  concurrency?: number | ConcurrencyOption | ConcurrencyOption[];
  singleton?: { key?: string; mode: "skip" | "cancel" };
  cancel?: Array<{ event: string; if?: string; timeout?: string }>;
  idempotency?: string;
  [key: string]: unknown;
}

export interface ConcurrencyOption {
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

export interface MemoEntry {
  type: "data" | "error";
  data?: unknown;
  error?: unknown;
}

export interface WorkItem {
  stepId: string | null;
  attempt: number;
}

export interface Op {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  data?: unknown;
  error?: unknown;
  opts?: Record<string, unknown>;
}

export interface Run {
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

export interface Waiter {
  run: Run;
  stepId: string;
  event: string;
  expression?: string;
  expiresAt: number;
}

export const TERMINAL: ReadonlySet<RunStatus> = new Set(["Completed", "Failed", "Cancelled", "Skipped"]);
export const DEFAULT_RETRIES = 3;
export const UNSUPPORTED_CONFIG = ["rateLimit", "throttle", "debounce", "batchEvents", "priority", "timeouts"] as const;
