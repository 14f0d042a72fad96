import { validate, version } from "uuid";
import { describe, expect, it } from "vitest";
import { alertMessageId } from "./deliver-alert";

describe("alert message ids", () => {
  it("are the same UUID on every retry, and differ per operator and per alert", () => {
    const a = alertMessageId("alert-1", "operator-1");
    expect(alertMessageId("alert-1", "operator-1")).toBe(a);
    expect(validate(a) && version(a)).toBe(5);
    expect(alertMessageId("alert-1", "operator-2")).not.toBe(a);
    expect(alertMessageId("alert-2", "operator-1")).not.toBe(a);
  });
});
