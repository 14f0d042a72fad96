import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, NonRetriableError } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalInngest, type LocalInngest, type RunView, type RunnerLogger } from "./runner";

/**
 * The runner against the real SDK: a real Inngest client and functions served by the
 * SDK's node:http adapter on a random port, the runner pointed at that serve endpoint,
 * events sent through `inngest.send` (which, in dev mode, posts to the runner).
 */

interface LogLine {
  level: string;
  msg: string;
  obj: Record<string, unknown>;
}

const logs: LogLine[] = [];
const logger: RunnerLogger = {
  info: (obj, msg) => logs.push({ level: "info", msg, obj }),
  warn: (obj, msg) => logs.push({ level: "warn", msg, obj }),
  error: (obj, msg) => logs.push({ level: "error", msg, obj }),
};

const silent = { info() {}, warn() {}, error() {}, debug() {} };

let app: http.Server;
let appDown = false;
let runner: LocalInngest;
let inngest: Inngest;
const seen = {
  multi: [] as string[],
  flakyCalls: 0,
  fanA: [] as string[],
  fanB: [] as string[],
  dedupe: 0,
  cron: [] as string[],
  relayed: [] as unknown[],
  failureHandled: [] as string[],
};

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}; runs: ${JSON.stringify(runner.runs(), null, 1)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function runsOf(fn: string): RunView[] {
  return runner.runs().filter((r) => r.functionId === `runner-test-${fn}`);
}

function finishedRun(fn: string, index = 0): Promise<RunView> {
  return waitFor(`a finished run of ${fn}`, () => {
    const r = runsOf(fn)
      .filter((x) => ["Completed", "Failed", "Cancelled"].includes(x.status))
      .reverse()[index];
    return r;
  });
}

beforeAll(async () => {
  // The app and the runner each need the other's URL, so the app server starts first
  // and gets its SDK handler once the runner's URL is known.
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  app = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;

  runner = await startLocalInngest({
    port: 0,
    appUrl,
    logger,
    autoCron: false,
    syncOnStart: false,
    resyncIntervalMs: 0,
    backoff: () => 20,
    unreachableDelayMs: 50,
  });

  inngest = new Inngest({ id: "runner-test", isDev: true, baseUrl: runner.url, logger: silent });

  const multi = inngest.createFunction(
    { id: "multi", triggers: [{ event: "test/multi" }] },
    async ({ event, step }) => {
      const a = await step.run("a", () => {
        seen.multi.push("a");
        return `${String(event.data.x)}-a`;
      });
      const b = await step.run("b", () => {
        seen.multi.push("b");
        return `${a}-b`;
      });
      const c = await step.run("c", () => {
        seen.multi.push("c");
        return `${b}-c`;
      });
      return { c };
    },
  );

  const flaky = inngest.createFunction(
    { id: "flaky", retries: 3, triggers: [{ event: "test/flaky" }] },
    async ({ step }) => {
      const value = await step.run("flaky-step", () => {
        seen.flakyCalls++;
        if (seen.flakyCalls < 3) throw new Error(`boom ${seen.flakyCalls}`);
        return `ok after ${seen.flakyCalls}`;
      });
      return { value };
    },
  );

  const sleepy = inngest.createFunction({ id: "sleepy", triggers: [{ event: "test/sleep" }] }, async ({ step }) => {
    const before = await step.run("before", () => Date.now());
    await step.sleep("nap", "1s");
    const after = await step.run("after", () => Date.now());
    return { sleptMs: after - before };
  });

  const everyMinute = inngest.createFunction(
    { id: "every-minute", triggers: [{ cron: "* * * * *" }] },
    async ({ event }) => {
      seen.cron.push(event.name);
      return { cron: "cron" in event.data ? event.data.cron : null };
    },
  );

  const fanA = inngest.createFunction({ id: "fan-a", triggers: [{ event: "test/fanout" }] }, async ({ event }) => {
    seen.fanA.push(event.id ?? "");
    return "a";
  });
  const fanB = inngest.createFunction({ id: "fan-b", triggers: [{ event: "test/fanout" }] }, async ({ event }) => {
    seen.fanB.push(event.id ?? "");
    return "b";
  });

  const dedupe = inngest.createFunction({ id: "dedupe", triggers: [{ event: "test/dedupe" }] }, async () => {
    seen.dedupe++;
    return seen.dedupe;
  });

  const relay = inngest.createFunction(
    { id: "relay", triggers: [{ event: "test/relay" }] },
    async ({ event, step }) => {
      await step.sendEvent("forward", { name: "test/relayed", data: { from: event.data.orderId } });
      return "sent";
    },
  );
  const relayed = inngest.createFunction(
    { id: "relayed", triggers: [{ event: "test/relayed" }] },
    async ({ event }) => {
      seen.relayed.push(event.data);
      return event.data;
    },
  );

  const waiter = inngest.createFunction(
    { id: "waiter", singleton: { mode: "skip" }, triggers: [{ event: "test/wait-start" }] },
    async ({ step }) => {
      const done = await step.waitForEvent("wait-done", {
        event: "test/wait-done",
        match: "data.orderId",
        timeout: "10s",
      });
      return { got: done?.data ?? null };
    },
  );

  const doomed = inngest.createFunction(
    {
      id: "doomed",
      triggers: [{ event: "test/doomed" }],
      onFailure: async ({ event }) => {
        seen.failureHandled.push(String(event.data.function_id));
      },
    },
    async () => {
      throw new NonRetriableError("cannot ever work");
    },
  );

  const child = inngest.createFunction(
    { id: "child", triggers: [{ event: "test/child-direct" }] },
    async ({ event }) => {
      return { doubled: "n" in event.data ? Number(event.data.n) * 2 : null };
    },
  );
  const parent = inngest.createFunction({ id: "parent", triggers: [{ event: "test/parent" }] }, async ({ step }) => {
    return step.invoke("call-child", { function: child, data: { n: 21 } });
  });

  const cancellable = inngest.createFunction(
    {
      id: "cancellable",
      cancelOn: [{ event: "test/cancel", match: "data.orderId" }],
      triggers: [{ event: "test/cancellable" }],
    },
    async ({ step }) => {
      await step.sleep("long", "1m");
      return "never";
    },
  );

  const resilient = inngest.createFunction(
    { id: "resilient", retries: 0, triggers: [{ event: "test/resilient" }] },
    async ({ step }) => {
      const first = await step.run("first", () => "one");
      const second = await step.run("second", () => "two");
      return [first, second];
    },
  );

  const sdkHandler = serve({
    client: inngest,
    functions: [
      multi,
      flaky,
      sleepy,
      everyMinute,
      fanA,
      fanB,
      dedupe,
      relay,
      relayed,
      waiter,
      doomed,
      child,
      parent,
      cancellable,
      resilient,
    ],
  });
  handler = (req, res) => {
    // Simulates the app process being gone: the connection drops without an answer.
    if (appDown) req.socket.destroy();
    else void sdkHandler(req, res);
  };
  await runner.sync();
});

afterAll(async () => {
  await runner?.close();
  await new Promise<void>((resolve) => app?.close(() => resolve()));
});

describe("local Inngest runner against the real SDK serve handler", () => {
  it("syncs the app's functions in band", async () => {
    const ids = await runner.sync();
    expect(runner.lastSync()?.source).toBe("in-band sync");
    expect(ids).toEqual(
      expect.arrayContaining([
        "runner-test-multi",
        "runner-test-flaky",
        "runner-test-every-minute",
        "runner-test-doomed-failure",
      ]),
    );
  });

  it("falls back to out-of-band registration when the app refuses in-band sync", async () => {
    process.env.INNGEST_ALLOW_IN_BAND_SYNC = "false";
    try {
      const ids = await runner.sync();
      expect(ids).toContain("runner-test-multi");
      expect(runner.lastSync()?.source).toBe("out-of-band register");
    } finally {
      delete process.env.INNGEST_ALLOW_IN_BAND_SYNC;
    }
  });

  it("runs a multi-step function to completion, each step once, results memoized", async () => {
    await inngest.send({ name: "test/multi", data: { x: "x" } });
    const run = await finishedRun("multi");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ c: "x-a-b-c" });
    expect(seen.multi).toEqual(["a", "b", "c"]);
    expect(run.steps.map((s) => [s.name, s.status, s.output])).toEqual([
      ["a", "completed", "x-a"],
      ["b", "completed", "x-a-b"],
      ["c", "completed", "x-a-b-c"],
    ]);
    const stepLogs = logs.filter((l) => l.obj.run === run.runId && l.msg === "step completed");
    expect(stepLogs.map((l) => [l.obj.fn, l.obj.step, l.obj.attempt, l.obj.outcome])).toEqual([
      ["runner-test-multi", "a", 0, "ok"],
      ["runner-test-multi", "b", 0, "ok"],
      ["runner-test-multi", "c", 0, "ok"],
    ]);
  });

  it("retries a step that fails twice: three attempts, one result", async () => {
    await inngest.send({ name: "test/flaky", data: {} });
    const run = await finishedRun("flaky");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ value: "ok after 3" });
    expect(seen.flakyCalls).toBe(3);
    expect(run.steps).toHaveLength(1);
    expect(run.steps[0]).toMatchObject({ name: "flaky-step", status: "completed", attempts: 3, output: "ok after 3" });
    const attempts = logs.filter(
      (l) => l.obj.run === run.runId && l.obj.step === "flaky-step" && l.msg.startsWith("step"),
    );
    expect(attempts.map((l) => [l.obj.attempt, l.obj.outcome])).toEqual([
      [0, "error"],
      [1, "error"],
      [2, "ok"],
    ]);
  });

  it("honours step.sleep", async () => {
    await inngest.send({ name: "test/sleep", data: {} });
    const sleeping = await waitFor("the run to sleep", () => runsOf("sleepy").find((r) => r.status === "Sleeping"));
    expect(sleeping.steps.find((s) => s.name === "nap")).toMatchObject({ status: "sleeping", op: "Sleep" });
    const run = await finishedRun("sleepy");
    expect(run.status).toBe("Completed");
    expect((run.output as { sleptMs: number }).sleptMs).toBeGreaterThanOrEqual(950);
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ["before", "completed"],
      ["nap", "completed"],
      ["after", "completed"],
    ]);
  });

  it("fires a cron trigger once per matching minute through the tick hook", async () => {
    expect(await runner.tick(new Date("2030-01-01T10:15:00Z"))).toBe(1);
    expect(await runner.tick(new Date("2030-01-01T10:15:40Z"))).toBe(0); // same minute
    const first = await finishedRun("every-minute");
    expect(first.event.name).toBe("inngest/scheduled.timer");
    expect(first.output).toEqual({ cron: "* * * * *" });
    expect(await runner.tick(new Date("2030-01-01T10:16:00Z"))).toBe(1);
    await waitFor("two cron runs", () =>
      runsOf("every-minute").filter((r) => r.status === "Completed").length === 2 ? true : undefined,
    );
    expect(seen.cron).toEqual(["inngest/scheduled.timer", "inngest/scheduled.timer"]);
  });

  it("fans one event out to every function it triggers", async () => {
    const { ids } = await inngest.send({ name: "test/fanout", data: {} });
    expect(ids).toHaveLength(1);
    const a = await finishedRun("fan-a");
    const b = await finishedRun("fan-b");
    expect([a.status, a.output, b.status, b.output]).toEqual(["Completed", "a", "Completed", "b"]);
    expect(a.event.id).toBe(b.event.id);
    expect(seen.fanA).toHaveLength(1);
    expect(seen.fanB).toHaveLength(1);
  });

  it("runs an event sent twice with the same id only once", async () => {
    await inngest.send({ id: "order-42-paid", name: "test/dedupe", data: {} });
    await inngest.send({ id: "order-42-paid", name: "test/dedupe", data: {} });
    const run = await finishedRun("dedupe");
    expect(run.event.id).toBe("order-42-paid");
    await runner.idle();
    expect(runsOf("dedupe")).toHaveLength(1);
    expect(seen.dedupe).toBe(1);
    expect(logs.some((l) => l.msg.startsWith("duplicate event id") && l.obj.id === "order-42-paid")).toBe(true);
  });

  it("delivers step.sendEvent to the functions it triggers", async () => {
    await inngest.send({ name: "test/relay", data: { orderId: "o-1" } });
    const relay = await finishedRun("relay");
    expect(relay.status).toBe("Completed");
    const relayed = await finishedRun("relayed");
    expect(relayed.output).toEqual({ from: "o-1" });
  });

  it("resumes step.waitForEvent on a matching event, and skips a second singleton run", async () => {
    await inngest.send({ name: "test/wait-start", data: { orderId: "o-7" } });
    await waitFor("the waiter to wait", () => runsOf("waiter").find((r) => r.status === "Waiting"));
    await inngest.send({ name: "test/wait-start", data: { orderId: "o-7" } });
    const skipped = await waitFor("a skipped run", () => runsOf("waiter").find((r) => r.status === "Skipped"));
    expect(skipped.reason).toMatch(/singleton/);
    await inngest.send({ name: "test/wait-done", data: { orderId: "other" } }); // no match
    await inngest.send({ name: "test/wait-done", data: { orderId: "o-7", ok: true } });
    const run = await finishedRun("waiter");
    expect(run.output).toEqual({ got: { orderId: "o-7", ok: true } });
  });

  it("fails a run on a non-retriable error without retrying, and runs its onFailure handler", async () => {
    await inngest.send({ name: "test/doomed", data: {} });
    const run = await finishedRun("doomed");
    expect(run.status).toBe("Failed");
    expect(run.calls).toBe(1);
    expect(run.error).toMatchObject({ name: "NonRetriableError", message: "cannot ever work" });
    await finishedRun("doomed-failure");
    expect(seen.failureHandled).toEqual(["runner-test-doomed"]);
  });

  it("runs step.invoke as a child run and memoizes its result", async () => {
    await inngest.send({ name: "test/parent", data: {} });
    const run = await finishedRun("parent");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual({ doubled: 42 });
    expect(runsOf("child")[0]).toMatchObject({ status: "Completed", event: { name: "inngest/function.invoked" } });
  });

  it("cancels a run on a matching cancelOn event only", async () => {
    await inngest.send({ name: "test/cancellable", data: { orderId: "c-1" } });
    await waitFor("the run to sleep", () => runsOf("cancellable").find((r) => r.status === "Sleeping"));
    await inngest.send({ name: "test/cancel", data: { orderId: "c-2" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(runsOf("cancellable")[0]?.status).toBe("Sleeping");
    await inngest.send({ name: "test/cancel", data: { orderId: "c-1" } });
    const run = await finishedRun("cancellable");
    expect(run.status).toBe("Cancelled");
    expect(run.reason).toMatch(/test\/cancel/);
  });

  it("waits out an unreachable app without spending the function's retries", async () => {
    appDown = true;
    await runner.send({ name: "test/resilient", data: {} });
    await waitFor("a failed call", () =>
      logs.some((l) => l.obj.outcome === "app unreachable" && l.obj.fn === "runner-test-resilient") ? true : undefined,
    );
    appDown = false;
    const run = await finishedRun("resilient");
    expect(run.status).toBe("Completed");
    expect(run.output).toEqual(["one", "two"]);
  });

  it("lists runs as JSON at /_runs and on the HTML status page", async () => {
    const res = await fetch(`${runner.url}/_runs?function=multi`);
    const list = (await res.json()) as RunView[];
    expect(list[0]).toMatchObject({ functionId: "runner-test-multi", status: "Completed" });
    const page = await (await fetch(`${runner.url}/`)).text();
    expect(page).toContain("runner-test-multi");
    expect(page).toContain("Completed");
  });
});
