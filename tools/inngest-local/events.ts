/**
 * Event intake and matching: events posted as `inngest.send` does in dev mode (deduped by id
 * and by the SDK's send seed), then handed to the runs they cancel, the waits they resume and
 * the functions they trigger.
 */
import { evaluate } from "./expr";
import { sync } from "./registry";
import { cancelRun, resolveAsyncStep, startRun } from "./runs";
import { firstReport, remember, type RunnerState } from "./state";
import { seededEventId, sleepUntil, ulid } from "./time";
import { TERMINAL, type InngestEvent } from "./types";
import { errorMessage, isRecord } from "./util";

function normalizeEvent(state: RunnerState, raw: unknown, internalId: string): InngestEvent | undefined {
  if (!isRecord(raw) || typeof raw.name !== "string" || raw.name === "") return undefined;
  const data = isRecord(raw.data) ? raw.data : {};
  const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : internalId;
  const ts = typeof raw.ts === "number" ? raw.ts : state.now();
  return { ...raw, id, name: raw.name, data, ts };
}

/** Accepts one event or a list, as posted to /e/:key; `seed` is the SDK's x-inngest-event-id-seed. */
export async function ingest(
  state: RunnerState,
  raw: unknown,
  seed?: string,
): Promise<{ ids: string[]; error?: string }> {
  const { log } = state;
  const list = Array.isArray(raw) ? raw : [raw];
  const ids: string[] = [];
  const accepted: InngestEvent[] = [];
  for (const [i, item] of list.entries()) {
    const internalId = seed ? seededEventId(seed, i) : ulid(state.now());
    const event = normalizeEvent(state, item, internalId);
    if (!event) return { ids: [], error: `event ${i} has no name` };
    ids.push(internalId);
    if (seed && !remember(state, state.seenEventIds, `seed:${internalId}`)) {
      log.info({ event: event.name, id: internalId }, "event already received (retried send); not triggering again");
      continue;
    }
    if (event.id !== internalId && !remember(state, state.seenEventIds, `id:${event.id}`)) {
      log.info({ event: event.name, id: event.id }, "duplicate event id within 24h; not triggering functions");
      continue;
    }
    accepted.push(event);
  }
  if (accepted.length > 0 && state.functions.size === 0) {
    await sync(state).catch((err: unknown) => log.warn({ error: errorMessage(err) }, "no functions synced yet"));
  }
  for (const event of accepted) dispatch(state, event);
  return { ids };
}

/** An `if`/`match` expression against `scope`; one the runner cannot evaluate is no match (and said once). */
function matches(
  state: RunnerState,
  expression: string | undefined,
  scope: Record<string, unknown>,
  context: { fn: string; run?: string },
): boolean {
  if (!expression) return true;
  try {
    return Boolean(evaluate(expression, scope));
  } catch (err) {
    if (firstReport(state, `${context.fn}|${expression}`)) {
      state.log.warn(
        { ...context, expression, error: errorMessage(err) },
        "expression not supported by the local runner; treated as no match",
      );
    }
    return false;
  }
}

function eventNameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));
}

function dispatch(state: RunnerState, event: InngestEvent): void {
  // Cancellations and waits see the event before new runs start, so a run never
  // matches the event that started it.
  for (const run of state.runs.values()) {
    if (TERMINAL.has(run.status)) continue;
    for (const c of run.fn.cancel ?? []) {
      if (c.event !== event.name) continue;
      if (c.timeout) {
        const until = sleepUntil(c.timeout, run.startedAt);
        if (state.now() > until) continue;
      }
      if (matches(state, c.if, { event: run.event, async: event }, { fn: run.fn.id, run: run.id })) {
        cancelRun(state, run, `cancelled by event ${event.name} (${event.id})`);
        break;
      }
    }
  }
  for (const w of [...state.waiters]) {
    if (w.event !== event.name || TERMINAL.has(w.run.status)) continue;
    if (!matches(state, w.expression, { event: w.run.event, async: event }, { fn: w.run.fn.id, run: w.run.id }))
      continue;
    state.waiters.delete(w);
    resolveAsyncStep(state, w.run, w.stepId, { type: "data", data: event }, "event received");
  }
  let started = 0;
  for (const fn of state.functions.values()) {
    const hit = (fn.triggers ?? []).some(
      (t) =>
        t.event !== undefined &&
        eventNameMatches(t.event, event.name) &&
        matches(state, t.expression, { event }, { fn: fn.id }),
    );
    if (hit && startRun(state, fn, event)) started++;
  }
  if (started > 0 || !event.name.startsWith("inngest/")) {
    state.log.info({ event: event.name, id: event.id, runs: started }, "event received");
  }
}
