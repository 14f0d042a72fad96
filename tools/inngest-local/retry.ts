/**
 * Retrying a failed call or step: Inngest's attempt count (the function's `retries` + 1), the
 * backoff between attempts, and `Retry-After` (seconds or an HTTP date) when the app sends one.
 */
import { finish, maxAttempts } from "./runs";
import { enqueue } from "./scheduler";
import { later, type RunnerState } from "./state";
import type { Run, WorkItem } from "./types";
import { errorMessage } from "./util";

export function retryLater(
  state: RunnerState,
  run: Run,
  item: WorkItem,
  why: string,
  retryAfter: string | null,
  error: unknown,
): void {
  const next = item.attempt + 1;
  if (next >= maxAttempts(run)) {
    finish(state, run, "Failed", { error, reason: why });
    return;
  }
  let delay = state.backoff(next);
  if (retryAfter) {
    const secs = Number(retryAfter);
    const at = Number.isFinite(secs) ? state.now() + secs * 1000 : Date.parse(retryAfter);
    if (Number.isFinite(at)) delay = Math.max(0, at - state.now());
  }
  state.log.warn(
    {
      fn: run.fn.id,
      run: run.id,
      step: item.stepId ?? "(function)",
      attempt: item.attempt,
      nextAttempt: next,
      delayMs: delay,
      error: errorMessage(error),
    },
    "retry scheduled",
  );
  later(state, delay, () => enqueue(state, run, { stepId: item.stepId, attempt: next }), run);
}
