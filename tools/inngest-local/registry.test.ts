import { describe, expect, it } from "vitest";
import { register } from "./registry";
import { createState } from "./state";
import type { FunctionConfig, RunnerLogger } from "./types";

function stateWithLog() {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const logger: RunnerLogger = {
    info: (obj, msg) => lines.push({ level: "info", msg, obj }),
    warn: (obj, msg) => lines.push({ level: "warn", msg, obj }),
    error: (obj, msg) => lines.push({ level: "error", msg, obj }),
  };
  const unused = () => {
    throw new Error("not called by register");
  };
  const state = createState(
    { appUrl: "http://127.0.0.1:1/api/inngest", logger },
    { ingest: unused, startRun: unused, call: unused },
  );
  return { state, lines };
}

const fn = (id: string, extra: Partial<FunctionConfig>): FunctionConfig => ({
  id,
  triggers: [{ event: "x/y" }],
  steps: {},
  ...extra,
});

describe("registering the app's functions", () => {
  it("reports an expression that is not CEL once, however often the app re-syncs", () => {
    const { state, lines } = stateWithLog();
    const configs = [
      fn("a", { singleton: { key: "relay-outbox", mode: "skip" } }),
      fn("b", { concurrency: { key: "event.data.orderId", limit: 1 } }),
    ];
    register(state, configs, "in-band sync");
    register(state, configs, "in-band sync");
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.obj).toMatchObject({ fn: "a", kind: "singleton key", expression: "relay-outbox" });
    expect(String(errors[0]!.obj.error)).toMatch(/Unknown variable: relay/);
  });

  it("parses crons with their time zone and leaves out a bad one with an error", () => {
    const { state, lines } = stateWithLog();
    register(
      state,
      [fn("c", { triggers: [{ cron: "TZ=Europe/Paris 0 9 * * *" }, { cron: "0 25 * * *" }] })],
      "in-band sync",
    );
    expect(state.crons.get("c")?.map((c) => [c.source, c.timeZone])).toEqual([
      ["TZ=Europe/Paris 0 9 * * *", "Europe/Paris"],
    ]);
    expect(lines.filter((l) => l.msg === "invalid cron trigger; ignored").map((l) => l.obj.cron)).toEqual([
      "0 25 * * *",
    ]);
  });
});
