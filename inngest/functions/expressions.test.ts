import { describe, expect, it } from "vitest";
import { functions } from "@/inngest";
import { checkExpression } from "@/tools/inngest-local/expr";

/*
 * Inngest compiles a function's keys and conditions as CEL when the app syncs. A plain word such
 * as `relay-outbox` is not a constant there but `relay - outbox` (two unknown variables): the old
 * hand-written evaluator let five singleton keys through that way. Every expression the broker's
 * functions declare must compile.
 */
type Opts = {
  id: string;
  concurrency?: { key?: string } | { key?: string }[];
  singleton?: { key?: string };
  idempotency?: string;
  rateLimit?: { key?: string };
  cancelOn?: { if?: string }[];
  triggers?: { if?: string }[];
};

function expressionsOf(o: Opts): string[] {
  const concurrency = Array.isArray(o.concurrency) ? o.concurrency : o.concurrency ? [o.concurrency] : [];
  return [
    ...concurrency.map((c) => c.key),
    o.singleton?.key,
    o.idempotency,
    o.rateLimit?.key,
    ...(o.cancelOn ?? []).map((c) => c.if),
    ...(o.triggers ?? []).map((t) => t.if),
  ].filter((e): e is string => typeof e === "string");
}

describe("the durable functions' expressions", () => {
  it("compile as CEL, as Inngest compiles them at sync", () => {
    const checked: string[] = [];
    for (const fn of functions) {
      const opts = (fn as unknown as { opts: Opts }).opts;
      for (const e of expressionsOf(opts)) {
        expect(() => checkExpression(e), `${opts.id}: ${e}`).not.toThrow();
        checked.push(e);
      }
    }
    // The per-order concurrency keys and the alert idempotency key are among them.
    expect(checked).toEqual(expect.arrayContaining(["event.data.orderId", "event.data.alertId"]));
  });

  it("refuses a bare word with a dash (the singleton keys this replaced)", () => {
    expect(() => checkExpression("relay-outbox")).toThrow();
  });
});
