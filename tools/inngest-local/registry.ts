/**
 * The app's functions: in-band sync (the runner PUTs the serve endpoint, the SDK answers with
 * its function configs), out-of-band registration (the SDK POSTs /fn/register), and the
 * checks made once per sync (unsupported options, bad crons and expressions).
 */
import { parseCron, type Cron } from "./cron";
import { checkExpression } from "./expr";
import { firstReport, later, type RunnerState } from "./state";
import { UNSUPPORTED_CONFIG, type FunctionConfig } from "./types";
import { errorMessage, isRecord, parseJson } from "./util";

/** Every expression of a function config, with what it is for (trigger, keys, cancel). */
function expressionsOf(fn: FunctionConfig): Array<{ kind: string; expression: string }> {
  const out: Array<{ kind: string; expression: string }> = [];
  for (const t of fn.triggers ?? []) if (t.expression) out.push({ kind: "trigger", expression: t.expression });
  const conc = Array.isArray(fn.concurrency) ? fn.concurrency : fn.concurrency === undefined ? [] : [fn.concurrency];
  for (const c of conc) if (typeof c === "object" && c.key) out.push({ kind: "concurrency key", expression: c.key });
  if (fn.singleton?.key) out.push({ kind: "singleton key", expression: fn.singleton.key });
  if (fn.idempotency) out.push({ kind: "idempotency key", expression: fn.idempotency });
  for (const c of fn.cancel ?? []) if (c.if) out.push({ kind: "cancelOn if", expression: c.if });
  return out;
}

export function register(
  state: RunnerState,
  configs: FunctionConfig[],
  source: "in-band sync" | "out-of-band register",
): string[] {
  const { log } = state;
  const next = new Map<string, FunctionConfig>();
  const nextCrons = new Map<string, Cron[]>();
  for (const fn of configs) {
    next.set(fn.id, fn);
    for (const key of UNSUPPORTED_CONFIG) {
      if (fn[key] !== undefined)
        log.warn({ fn: fn.id, option: key }, "option not supported by the local runner; ignored");
    }
    for (const t of fn.triggers ?? []) {
      if (!t.cron) continue;
      try {
        nextCrons.set(fn.id, [...(nextCrons.get(fn.id) ?? []), parseCron(t.cron)]);
      } catch (err) {
        log.error({ fn: fn.id, cron: t.cron, error: errorMessage(err) }, "invalid cron trigger; ignored");
      }
    }
    for (const { kind, expression } of expressionsOf(fn)) {
      try {
        checkExpression(expression);
      } catch (err) {
        // Inngest compiles expressions against the same variables; the runner says so once and goes on (see README).
        if (firstReport(state, `${fn.id}|${expression}`)) {
          log.error(
            { fn: fn.id, kind, expression, error: errorMessage(err) },
            "invalid CEL expression (undeclared variable, unknown function or syntax)",
          );
        }
      }
    }
  }
  const changed = JSON.stringify([...state.functions.keys()].sort()) !== JSON.stringify([...next.keys()].sort());
  state.functions = next;
  state.crons = nextCrons;
  state.lastSync = { source, at: new Date(state.now()).toISOString(), functions: [...next.keys()] };
  if (changed) log.info({ source, functions: [...next.keys()] }, "app synced");
  return [...next.keys()];
}

async function doSync(state: RunnerState): Promise<string[]> {
  // In-band sync: the SDK answers the PUT with its function configs. If the app has
  // in-band sync switched off it registers out of band instead, by POSTing to our
  // /fn/register (its INNGEST_BASE_URL must point here), before it answers the PUT.
  const { appUrl } = state;
  const before = state.functions;
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
    return register(state, body.functions as FunctionConfig[], "in-band sync");
  }
  if (state.functions !== before) return [...state.functions.keys()];
  throw new Error(`sync of ${appUrl.href} returned no functions (${text.slice(0, 300)})`);
}

/** Syncs the app now; concurrent callers share one sync. */
export function sync(state: RunnerState): Promise<string[]> {
  state.syncing ??= doSync(state).finally(() => {
    state.syncing = undefined;
  });
  return state.syncing;
}

/** Syncs on start, retrying until the app answers, then re-syncs periodically to pick up code changes. */
export function syncUntilReady(state: RunnerState, delayMs = 500, warned = false): void {
  if (state.closed) return;
  sync(state).then(
    () => {
      if (state.resyncIntervalMs > 0) resyncLoop(state, state.resyncIntervalMs);
    },
    (err: unknown) => {
      if (!warned)
        state.log.warn({ app: state.appUrl.href, error: errorMessage(err) }, "app not reachable yet; will keep trying");
      later(state, delayMs, () => syncUntilReady(state, Math.min(delayMs * 2, 5000), true));
    },
  );
}

function resyncLoop(state: RunnerState, every: number): void {
  later(state, every, () => {
    sync(state).catch((err: unknown) => state.log.warn({ error: errorMessage(err) }, "re-sync failed"));
    resyncLoop(state, every);
  });
}
