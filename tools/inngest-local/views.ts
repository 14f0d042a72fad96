/** Runs as the API and /_runs show them: plain copies, never the live state. */
import type { RunnerState } from "./state";
import type { Run, RunView } from "./types";

export function view(run: Run): RunView {
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

/** Newest first. */
export function listRuns(state: RunnerState): RunView[] {
  return [...state.runs.values()].reverse().map(view);
}
