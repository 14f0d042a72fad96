/**
 * When calls happen: each run's work queue (one Call Request at a time per run), concurrency
 * limits across runs, and cron triggers (a minute timer, or `tick()` in tests). Sleeps and
 * waits are timers set by the op handlers (ops.ts) through `later`.
 */
import { cronMatches } from "./cron";
import { sync } from "./registry";
import { checkIdle, later, type RunnerState } from "./state";
import { TERMINAL, type InngestEvent, type Run, type WorkItem } from "./types";
import { ulid } from "./time";

export function enqueue(state: RunnerState, run: Run, item: WorkItem): void {
  if (TERMINAL.has(run.status)) return;
  if (item.stepId === null && run.queue.some((q) => q.stepId === null && q.attempt === item.attempt)) return;
  run.queue.push(item);
  void pump(state, run);
}

/** Takes a concurrency slot for `key` (`<fn>:<key value>#<limit>`), waiting for one if all are taken. */
async function acquire(state: RunnerState, key: string | undefined): Promise<() => void> {
  if (!key) return () => {};
  const limit = Number(key.slice(key.lastIndexOf("#") + 1));
  let s = state.semaphores.get(key);
  if (!s) {
    s = { active: 0, queue: [] };
    state.semaphores.set(key, s);
  }
  const sem = s;
  if (sem.active >= limit) await new Promise<void>((resolve) => sem.queue.push(resolve));
  sem.active++;
  return () => {
    sem.active--;
    sem.queue.shift()?.();
  };
}

async function pump(state: RunnerState, run: Run): Promise<void> {
  // One Call Request at a time per run: parallel steps run one after another, which keeps
  // memoized state simple and is still a valid schedule for Inngest's semantics.
  if (run.busy) return;
  run.busy = true;
  try {
    while (run.queue.length > 0 && !TERMINAL.has(run.status) && !state.closed) {
      const item = run.queue.shift()!;
      const release = await acquire(state, run.concurrencyKey);
      try {
        if (TERMINAL.has(run.status)) break;
        await state.hooks.call(state, run, item);
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
    checkIdle(state);
  }
}

/** Fires every cron trigger that matches the minute containing `at` (default: now). */
export async function tick(state: RunnerState, at?: Date): Promise<number> {
  const date = at ?? new Date(state.now());
  const minute = Math.floor(date.getTime() / 60_000);
  if (state.functions.size === 0) await sync(state).catch(() => undefined);
  let fired = 0;
  for (const [fnId, list] of state.crons) {
    const fn = state.functions.get(fnId);
    if (!fn) continue;
    for (const cron of list) {
      if (!cronMatches(cron, date)) continue;
      // One run per function, cron and minute, however often the minute is ticked.
      const key = `${fnId}|${cron.source}`;
      if (state.firedCronMinutes.get(key) === minute) continue;
      state.firedCronMinutes.set(key, minute);
      const event: InngestEvent = {
        id: ulid(state.now()),
        name: "inngest/scheduled.timer",
        data: { cron: cron.source },
        ts: minute * 60_000,
      };
      state.log.info({ fn: fnId, cron: cron.source, at: new Date(minute * 60_000).toISOString() }, "cron fired");
      if (state.hooks.startRun(state, fn, event)) fired++;
    }
  }
  return fired;
}

/** Ticks a few ms after each minute starts, for as long as the runner is open. */
export function cronLoop(state: RunnerState): void {
  const t = state.now();
  const nextMinute = (Math.floor(t / 60_000) + 1) * 60_000;
  later(state, nextMinute - t + 5, () => {
    void tick(state, new Date(nextMinute));
    cronLoop(state);
  });
}
