/**
 * What the runner does with the step ops of a 206 answer: memoize results, retry or fail
 * errored steps, queue planned steps, start sleeps, waits and invokes, complete the run.
 * An op it cannot honour fails the run with a message saying so.
 */
import { retryLater } from "./retry";
import { finish, memoize, resolveAsyncStep, startRun } from "./runs";
import { later, type RunnerState } from "./state";
import { sleepUntil, ulid } from "./time";
import type { InngestEvent, Op, Run, StepView, Waiter, WorkItem } from "./types";
import { errorMessage, isRecord } from "./util";

type Base = Record<string, unknown>;

function stepView(state: RunnerState, run: Run, op: Op): StepView {
  let s = run.steps.get(op.id);
  if (!s) {
    s = {
      id: op.id,
      name: op.displayName ?? op.name ?? op.id,
      op: op.op,
      status: "running",
      attempts: 0,
      startedAt: new Date(state.now()).toISOString(),
    };
    run.steps.set(op.id, s);
  }
  s.op = op.op;
  return s;
}

function failStep(state: RunnerState, run: Run, op: Op, s: StepView, base: Base): void {
  s.status = "failed";
  s.error = op.error;
  s.endedAt = new Date(state.now()).toISOString();
  memoize(run, op.id, { type: "error", error: op.error });
  state.log.error({ ...base, step: s.name, outcome: "failed", error: errorMessage(op.error) }, "step failed");
}

/** Sleep: the step resumes (memoized as null) at the time given by `step.sleep` or `step.sleepUntil`. */
function sleep(state: RunnerState, run: Run, op: Op, base: Base): boolean {
  const s = stepView(state, run, op);
  const value = typeof op.opts?.duration === "string" ? op.opts.duration : (op.name ?? "0s");
  let until: number;
  try {
    until = sleepUntil(value, state.now());
  } catch (err) {
    finish(state, run, "Failed", { error: { name: "Error", message: errorMessage(err) } });
    return false;
  }
  s.status = "sleeping";
  s.until = new Date(until).toISOString();
  run.pending.add(op.id);
  state.log.info({ ...base, step: s.name, outcome: "sleeping", until: s.until }, "step sleeping");
  later(
    state,
    until - state.now(),
    () => resolveAsyncStep(state, run, op.id, { type: "data", data: null }, "sleep over"),
    run,
  );
  return true;
}

/** WaitForEvent: the step resumes with the first matching event (events.ts), or null at the timeout. */
function waitForEvent(state: RunnerState, run: Run, op: Op, base: Base): void {
  const s = stepView(state, run, op);
  const eventName = typeof op.opts?.event === "string" ? op.opts.event : (op.name ?? "");
  const timeout = typeof op.opts?.timeout === "string" ? op.opts.timeout : "1w";
  const expiresAt = sleepUntil(timeout, state.now());
  const expression = typeof op.opts?.if === "string" ? op.opts.if : undefined;
  const waiter: Waiter = { run, stepId: op.id, event: eventName, expression, expiresAt };
  state.waiters.add(waiter);
  run.pending.add(op.id);
  s.status = "waiting";
  s.until = new Date(expiresAt).toISOString();
  state.log.info(
    { ...base, step: s.name, outcome: "waiting", event: eventName, until: s.until },
    "step waiting for event",
  );
  later(
    state,
    expiresAt - state.now(),
    () => {
      if (!state.waiters.delete(waiter)) return;
      resolveAsyncStep(state, run, op.id, { type: "data", data: null }, "wait timed out");
    },
    run,
  );
}

/** InvokeFunction: a child run whose result (or error) the step resumes with. False = failed at once. */
function invoke(state: RunnerState, run: Run, op: Op, base: Base): boolean {
  const s = stepView(state, run, op);
  const target = typeof op.opts?.function_id === "string" ? state.functions.get(op.opts.function_id) : undefined;
  if (!target) {
    failStep(
      state,
      run,
      { ...op, error: { name: "Error", message: `invoked function ${String(op.opts?.function_id)} is not synced` } },
      s,
      base,
    );
    return false;
  }
  const payload = isRecord(op.opts?.payload) ? op.opts.payload : {};
  const event: InngestEvent = {
    ...payload,
    id: ulid(state.now()),
    name: "inngest/function.invoked",
    data: isRecord(payload.data) ? payload.data : {},
    ts: state.now(),
  };
  run.pending.add(op.id);
  s.status = "waiting";
  state.log.info({ ...base, step: s.name, outcome: "invoking", target: target.id }, "step invoking function");
  const child = startRun(state, target, event, { run, stepId: op.id });
  if (!child || child.status === "Skipped") {
    resolveAsyncStep(
      state,
      run,
      op.id,
      { type: "error", error: { name: "Error", message: `invoke of ${target.id} was skipped` } },
      "invoke skipped",
    );
  }
  return true;
}

export function handleOps(
  state: RunnerState,
  run: Run,
  item: WorkItem,
  ops: Op[],
  noRetry: boolean,
  retryAfter: string | null,
): void {
  const { log } = state;
  if (ops.length > 1) run.disableImmediate = true;
  let discover = false;
  for (const op of ops) {
    const base = { fn: run.fn.id, run: run.id, attempt: item.attempt };
    const known = run.memo.has(op.id) || run.pending.has(op.id);
    switch (op.op) {
      case "StepRun":
      case "Step": {
        const s = stepView(state, run, op);
        s.attempts = item.attempt + 1;
        s.status = "completed";
        s.output = op.data ?? null;
        s.endedAt = new Date(state.now()).toISOString();
        memoize(run, op.id, { type: "data", data: op.data ?? null });
        log.info({ ...base, step: s.name, outcome: "ok" }, "step completed");
        discover = true;
        break;
      }
      case "StepError": {
        const s = stepView(state, run, op);
        s.attempts = item.attempt + 1;
        s.status = "errored";
        s.error = op.error;
        log.warn({ ...base, step: s.name, outcome: "error", error: errorMessage(op.error) }, "step errored");
        if (noRetry) {
          failStep(state, run, op, s, base);
          discover = true;
        } else {
          retryLater(
            state,
            run,
            { stepId: op.id, attempt: item.attempt },
            `step ${s.name} kept failing`,
            retryAfter,
            op.error,
          );
        }
        break;
      }
      case "StepFailed": {
        const s = stepView(state, run, op);
        s.attempts = item.attempt + 1;
        failStep(state, run, op, s, base);
        discover = true;
        break;
      }
      case "StepPlanned": {
        if (known) break;
        const s = stepView(state, run, op);
        s.status = "planned";
        run.pending.add(op.id);
        log.info({ ...base, step: s.name, outcome: "planned" }, "step planned");
        // A planned step is run by a Call Request naming it; once that memoizes it the
        // step is no longer pending.
        run.queue.push({ stepId: op.id, attempt: 0 });
        break;
      }
      case "Sleep":
        if (known) break;
        if (!sleep(state, run, op, base)) return;
        break;
      case "WaitForEvent":
        if (!known) waitForEvent(state, run, op, base);
        break;
      case "InvokeFunction":
        if (!known && !invoke(state, run, op, base)) discover = true;
        break;
      case "RunComplete": {
        finish(state, run, "Completed", { output: op.data ?? null });
        return;
      }
      case "DeferAdd":
      case "DeferAbort":
        log.warn({ ...base, op: op.op }, "deferred functions are not supported by the local runner; ignored");
        break;
      default: {
        finish(state, run, "Failed", {
          error: {
            name: "Error",
            message: `step op ${op.op} is not supported by the local runner (use the Inngest Dev Server)`,
          },
        });
        return;
      }
    }
  }
  if (discover && !run.queue.some((q) => q.stepId === null && q.attempt === 0)) {
    run.queue.push({ stepId: null, attempt: 0 });
  }
}
