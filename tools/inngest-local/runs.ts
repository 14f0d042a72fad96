/**
 * A run's life: starting it (idempotency, singleton, concurrency key), memoizing step
 * results, resuming it after a sleep, wait or invoke, and finishing it (which resolves an
 * invoking parent and emits Inngest's `inngest/function.*` system events).
 */
import { evaluate } from "./expr";
import { enqueue } from "./scheduler";
import { checkIdle, firstReport, remember, type RunnerState } from "./state";
import { ulid } from "./time";
import { DEFAULT_RETRIES, TERMINAL, type FunctionConfig, type InngestEvent, type MemoEntry, type Run } from "./types";
import { errorMessage, isRecord } from "./util";

/** A key expression's value as a string; an expression the runner cannot evaluate gives one shared key. */
function keyOf(
  state: RunnerState,
  expression: string | undefined,
  event: InngestEvent,
  fnId: string,
): string | undefined {
  if (!expression) return undefined;
  try {
    return JSON.stringify(evaluate(expression, { event }));
  } catch (err) {
    if (firstReport(state, `${fnId}|${expression}`)) {
      state.log.warn(
        { fn: fnId, expression, error: errorMessage(err) },
        "key expression not supported; using one shared key",
      );
    }
    return "";
  }
}

function newRun(state: RunnerState, fn: FunctionConfig, event: InngestEvent): Run {
  return {
    id: ulid(state.now()),
    fn,
    event,
    events: [event],
    status: "Queued",
    startedAt: state.now(),
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

/** Keeps the last `keepRuns` finished runs for /_runs. */
function pruneRuns(state: RunnerState): void {
  const finished = [...state.runs.values()].filter((r) => TERMINAL.has(r.status));
  for (const r of finished.slice(0, Math.max(0, finished.length - state.keepRuns))) state.runs.delete(r.id);
}

export function startRun(
  state: RunnerState,
  fn: FunctionConfig,
  event: InngestEvent,
  parent?: Run["parent"],
): Run | undefined {
  const { log } = state;
  const run = newRun(state, fn, event);
  run.parent = parent;
  if (fn.idempotency) {
    const key = `${fn.id}:${keyOf(state, fn.idempotency, event, fn.id) ?? ""}`;
    if (!remember(state, state.idempotencyKeys, key)) {
      log.info({ fn: fn.id, event: event.name, key }, "run skipped: idempotency key already used within 24h");
      return undefined;
    }
  }
  if (fn.singleton) {
    run.singletonKey = `${fn.id}:${keyOf(state, fn.singleton.key, event, fn.id) ?? ""}`;
    const existing = [...state.runs.values()].find(
      (r) => r.singletonKey === run.singletonKey && !TERMINAL.has(r.status),
    );
    if (existing) {
      if (fn.singleton.mode === "skip") {
        run.status = "Skipped";
        run.reason = `singleton: run ${existing.id} is still active`;
        run.endedAt = state.now();
        state.runs.set(run.id, run);
        log.info({ fn: fn.id, run: run.id, active: existing.id, outcome: "skipped" }, "run skipped (singleton)");
        pruneRuns(state);
        return run;
      }
      cancelRun(state, existing, `singleton: replaced by run ${run.id}`);
    }
  }
  const conc = Array.isArray(fn.concurrency) ? fn.concurrency[0] : fn.concurrency;
  if (conc !== undefined) {
    const opt = typeof conc === "number" ? { limit: conc } : conc;
    if (opt.limit > 0) run.concurrencyKey = `${fn.id}:${keyOf(state, opt.key, event, fn.id) ?? ""}#${opt.limit}`;
  }
  state.runs.set(run.id, run);
  pruneRuns(state);
  log.info({ fn: fn.id, run: run.id, event: event.name, eventId: event.id }, "run started");
  enqueue(state, run, { stepId: null, attempt: 0 });
  return run;
}

export function maxAttempts(run: Run): number {
  const retries = run.fn.steps?.step?.retries?.attempts;
  return (typeof retries === "number" ? retries : DEFAULT_RETRIES) + 1;
}

export function memoize(run: Run, stepId: string, entry: MemoEntry): void {
  if (!run.memo.has(stepId)) run.stack.push(stepId);
  run.memo.set(stepId, entry);
  run.pending.delete(stepId);
}

/** A sleep ended, an awaited event came, or an invoked run finished: memoize and call the run again. */
export function resolveAsyncStep(
  state: RunnerState,
  run: Run,
  stepId: string,
  entry: MemoEntry,
  outcome: string,
): void {
  if (TERMINAL.has(run.status) || !run.pending.has(stepId)) return;
  memoize(run, stepId, entry);
  const s = run.steps.get(stepId);
  if (s) {
    s.status = entry.type === "error" ? "failed" : "completed";
    s.endedAt = new Date(state.now()).toISOString();
    if (entry.type === "error") s.error = entry.error;
    else if (s.op !== "Sleep") s.output = entry.data;
  }
  state.log.info({ fn: run.fn.id, run: run.id, step: s?.name ?? stepId, outcome }, "step resumed");
  run.status = "Running";
  enqueue(state, run, { stepId: null, attempt: 0 });
}

export function finish(
  state: RunnerState,
  run: Run,
  status: "Completed" | "Failed" | "Cancelled",
  result: { output?: unknown; error?: unknown; reason?: string },
): void {
  const { log } = state;
  if (TERMINAL.has(run.status)) return;
  run.status = status;
  run.endedAt = state.now();
  run.output = result.output;
  run.error = result.error;
  run.reason = result.reason;
  run.queue.length = 0;
  for (const t of run.timers) clearTimeout(t);
  run.timers.clear();
  for (const w of [...state.waiters]) if (w.run === run) state.waiters.delete(w);
  const base = { fn: run.fn.id, run: run.id, calls: run.calls };
  if (status === "Completed") log.info({ ...base, outcome: "completed" }, "run completed");
  else if (status === "Failed")
    log.error({ ...base, outcome: "failed", error: errorMessage(result.error) }, "run failed");
  else log.info({ ...base, outcome: "cancelled", reason: result.reason }, "run cancelled");

  if (run.parent) {
    const { run: parent, stepId } = run.parent;
    const entry: MemoEntry =
      status === "Completed"
        ? { type: "data", data: result.output ?? null }
        : {
            type: "error",
            error: isRecord(result.error)
              ? result.error
              : { name: "Error", message: result.reason ?? errorMessage(result.error) },
          };
    resolveAsyncStep(
      state,
      parent,
      stepId,
      entry,
      status === "Completed" ? "invoked function completed" : "invoked function failed",
    );
  }
  // Inngest emits these system events; onFailure handlers trigger on the first. Runs that
  // were themselves started by one do not emit more, so handlers cannot loop.
  const systemRun = run.event.name.startsWith("inngest/function.");
  const { ingest } = state.hooks;
  if (!systemRun && status !== "Cancelled") {
    const data = { function_id: run.fn.id, run_id: run.id, event: run.event };
    if (status === "Failed") {
      void ingest(state, { name: "inngest/function.failed", data: { ...data, error: result.error } });
    }
    void ingest(state, {
      name: "inngest/function.finished",
      data: status === "Completed" ? { ...data, result: result.output ?? null } : { ...data, error: result.error },
    });
  } else if (!systemRun) {
    void ingest(state, {
      name: "inngest/function.cancelled",
      data: { function_id: run.fn.id, run_id: run.id, event: run.event },
    });
  }
  pruneRuns(state);
  checkIdle(state);
}

export function cancelRun(state: RunnerState, run: Run, reason: string): void {
  finish(state, run, "Cancelled", { reason });
}
