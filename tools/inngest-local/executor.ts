/**
 * The Call Request: POST the serve endpoint with the event, the memoized steps and the run's
 * context, then act on the answer: 200 = done, 206 = step ops (ops.ts), 500 = retry,
 * 400 or `X-Inngest-No-Retry: true` = fail now. An app that cannot be reached is waited out
 * without spending the function's retries.
 */
import { handleOps } from "./ops";
import { retryLater } from "./retry";
import { finish, maxAttempts } from "./runs";
import { enqueue } from "./scheduler";
import { later, type RunnerState } from "./state";
import { ulid } from "./time";
import { TERMINAL, type MemoEntry, type Op, type Run, type WorkItem } from "./types";
import { errorMessage, isRecord, parseJson } from "./util";

function requestBody(run: Run, item: WorkItem): unknown {
  const steps: Record<string, MemoEntry> = {};
  for (const [id, entry] of run.memo) steps[id] = entry;
  return {
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
}

/** The app is down (restarting, recompiling): retry the same attempt soon, up to `unreachableGiveUpMs`. */
function waitOutUnreachableApp(state: RunnerState, run: Run, item: WorkItem, url: URL, err: unknown): void {
  run.unreachableSince ??= state.now();
  const error = { name: "Error", message: `call to ${url.origin} failed: ${errorMessage(err)}` };
  if (state.now() - run.unreachableSince > state.unreachableGiveUpMs) {
    finish(state, run, "Failed", { error, reason: "app unreachable" });
    return;
  }
  run.unreachableTries = (run.unreachableTries ?? 0) + 1;
  const delay = Math.min(state.unreachableDelayMs * 2 ** (run.unreachableTries - 1), 5000);
  state.log.warn(
    {
      fn: run.fn.id,
      run: run.id,
      attempt: item.attempt,
      step: item.stepId ?? "(function)",
      outcome: "app unreachable",
      delayMs: delay,
      error: error.message,
    },
    "call failed; will retry",
  );
  later(state, delay, () => enqueue(state, run, item), run);
}

export async function call(state: RunnerState, run: Run, item: WorkItem): Promise<void> {
  const { log } = state;
  const runtime = run.fn.steps?.step?.runtime?.url;
  if (!runtime) {
    finish(state, run, "Failed", {
      error: { name: "Error", message: `function ${run.fn.id} has no HTTP runtime URL` },
    });
    return;
  }
  const url = new URL(runtime);
  url.searchParams.set("fnId", run.fn.id);
  url.searchParams.set("stepId", item.stepId ?? "step");
  const body = requestBody(run, item);
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
        "x-request-id": ulid(state.now()),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(state.requestTimeoutMs),
    });
    text = await res.text();
  } catch (err) {
    if (TERMINAL.has(run.status)) return;
    waitOutUnreachableApp(state, run, item, url, err);
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
    finish(state, run, "Completed", { output: payload });
    return;
  }
  if (res.status === 206 && Array.isArray(payload)) {
    handleOps(state, run, item, payload as Op[], noRetry, retryAfter);
    return;
  }
  if (res.status === 206 && isRecord(payload) && payload.op === "RunComplete") {
    finish(state, run, "Completed", { output: payload.data ?? null });
    return;
  }
  if (res.status >= 400 && res.status < 500 && (noRetry || res.status === 400)) {
    log.warn(
      { ...base, step: item.stepId ?? "(function)", outcome: "non-retriable error", error: errorMessage(payload) },
      "function errored",
    );
    finish(state, run, "Failed", { error: payload });
    return;
  }
  log.warn(
    { ...base, step: item.stepId ?? "(function)", status: res.status, outcome: "error", error: errorMessage(payload) },
    "function errored",
  );
  if (noRetry) {
    finish(state, run, "Failed", { error: payload });
    return;
  }
  retryLater(state, run, item, `app answered ${res.status}`, retryAfter, payload);
}
