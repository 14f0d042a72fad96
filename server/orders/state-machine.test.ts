import { describe, expect, it } from "vitest";
import { ORDER_STATUSES } from "@/db/schema/orders";
import { ORDER_TRANSITIONS, TERMINAL_STATUSES, canTransition } from "./state-machine";

describe("order state machine", () => {
  it("knows every status", () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it("allows the happy path and the refund paths", () => {
    const path = ["created", "paid", "settling", "settled", "mixpay_refunded", "refunding", "refunded"] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition("expired", "paid_late")).toBe(true);
    expect(canTransition("paid_late", "refunding")).toBe(true);
    expect(canTransition("settlement_failed", "settling")).toBe(true);
  });

  it("rejects illegal moves", () => {
    expect(canTransition("created", "settled")).toBe(false);
    expect(canTransition("expired", "paid")).toBe(false);
    expect(canTransition("settled", "paid")).toBe(false);
    expect(canTransition("refunded", "refunding")).toBe(false);
  });

  it("has failed and refunded as terminal states", () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(["failed", "refunded"]);
  });
});
