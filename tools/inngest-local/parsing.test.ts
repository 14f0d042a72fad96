import { describe, expect, it } from "vitest";
import { cronMatches, nextCronTime, parseCron } from "./cron";
import { checkExpression, evaluate } from "./expr";
import { parseTimeString, seededEventId, sleepUntil } from "./time";

describe("cron", () => {
  it("matches every minute, steps, ranges, lists and names", () => {
    const at = new Date("2030-01-07T10:15:00Z"); // a Monday
    expect(cronMatches(parseCron("* * * * *"), at)).toBe(true);
    expect(cronMatches(parseCron("*/15 * * * *"), at)).toBe(true);
    expect(cronMatches(parseCron("*/20 * * * *"), at)).toBe(false);
    expect(cronMatches(parseCron("15 9-11 * JAN MON-FRI"), at)).toBe(true);
    expect(cronMatches(parseCron("0,30 * * * *"), at)).toBe(false);
    expect(cronMatches(parseCron("15 10 * * 7"), new Date("2030-01-06T10:15:00Z"))).toBe(true); // 7 = Sunday
  });

  it("ORs day-of-month and day-of-week when both are restricted", () => {
    const cron = parseCron("0 0 1 * MON");
    expect(cronMatches(cron, new Date("2030-01-07T00:00:00Z"))).toBe(true); // Monday the 7th
    expect(cronMatches(cron, new Date("2030-02-01T00:00:00Z"))).toBe(true); // Friday the 1st
    expect(cronMatches(cron, new Date("2030-01-08T00:00:00Z"))).toBe(false);
  });

  it("evaluates TZ= prefixed expressions in that zone, and finds the next time", () => {
    const cron = parseCron("TZ=Asia/Tokyo 0 9 * * *");
    expect(cronMatches(cron, new Date("2030-01-01T00:00:00Z"))).toBe(true); // 09:00 in Tokyo
    expect(nextCronTime(parseCron("@hourly"), new Date("2030-01-01T10:15:30Z"))?.toISOString()).toBe(
      "2030-01-01T11:00:00.000Z",
    );
  });

  it("rejects malformed expressions", () => {
    expect(() => parseCron("* * * *")).toThrow(/5 fields/);
    expect(() => parseCron("61 * * * *")).toThrow(/invalid value for minute: 61/i);
    expect(() => parseCron("TZ=Nowhere/Special 0 9 * * *")).toThrow();
  });
});

describe("expressions", () => {
  const event = { name: "order/paid", data: { orderId: "o-1", amount: 5, tags: ["a"] } };
  it("compares fields of event and async the way match/if options produce them", () => {
    expect(evaluate("event.data.orderId == async.data.orderId", { event, async: { data: { orderId: "o-1" } } })).toBe(
      true,
    );
    expect(evaluate("event.data.orderId == async.data.orderId", { event, async: { data: { orderId: "o-2" } } })).toBe(
      false,
    );
    expect(evaluate("event.data.amount > 3 && event.name != 'x'", { event })).toBe(true);
    expect(evaluate("!(event.data.amount >= 10) || false", { event })).toBe(true);
    expect(evaluate("'a' in event.data.tags", { event })).toBe(true);
    expect(evaluate("event.data['orderId'] + '-' + event.data.amount", { event })).toBe("o-1-5");
    expect(evaluate("event.data.missing.deeper == null", { event })).toBe(true);
  });

  it("runs CEL's functions and macros as Inngest does", () => {
    expect(evaluate("size(event.data.tags) > 0", { event })).toBe(true);
    expect(
      evaluate("has(event.data.orderId) && !has(event.data.missing) && !has(event.data.missing.deeper)", { event }),
    ).toBe(true);
    expect(evaluate("event.data.tags.exists(t, t == 'a') && event.data.orderId.startsWith('o-')", { event })).toBe(
      true,
    );
    expect(evaluate("event.data.orderId", { event })).toBe("o-1"); // a concurrency key
  });

  it("refuses what it does not implement instead of guessing", () => {
    expect(() => evaluate("sizeOf(event.data.tags) > 0", { event })).toThrow(/no matching overload/);
    expect(() => checkExpression("check-reservations")).toThrow(/Unknown variable: check/);
    expect(() => checkExpression("event.data.orderId ==")).toThrow();
  });
});

describe("time", () => {
  it("reads time strings and ISO dates", () => {
    expect(parseTimeString("1s")).toBe(1000);
    expect(parseTimeString("2h45m")).toBe(9_900_000);
    expect(parseTimeString("1.5d")).toBe(129_600_000);
    expect(parseTimeString("2030-01-01T00:00:00Z")).toBeUndefined();
    expect(sleepUntil("2030-01-01T00:00:00.000Z", 0)).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(sleepUntil("500ms", 1000)).toBe(1500);
  });

  it("derives the same event ids from the same send seed", () => {
    expect(seededEventId("1700000000000,abc=", 0)).toBe(seededEventId("1700000000000,abc=", 0));
    expect(seededEventId("1700000000000,abc=", 0)).not.toBe(seededEventId("1700000000000,abc=", 1));
    expect(seededEventId("1700000000000,abc=", 0)).toHaveLength(26);
  });
});
