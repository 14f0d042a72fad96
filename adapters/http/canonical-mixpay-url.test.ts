import { describe, expect, it } from "vitest";
import { canonicalMixpayUrl } from "./canonical-mixpay-url";

describe("canonicalMixpayUrl (for the listener, before Next's repeated-slash 308)", () => {
  it.each([
    ["/mixpay//create_order", "/mixpay/create_order"],
    ["//mixpay/create_order", "/mixpay/create_order"],
    ["/mixpay\\create_order?x=1", "/mixpay/create_order?x=1"],
    ["/mixpay/assets//range?a=//b", "/mixpay/assets/range?a=//b"],
    ["/mixpay", "/mixpay"],
    ["/mixpay/../console?x", "/mixpay/invalid-path?x"],
    ["/mixpay/%2E%2e/x", "/mixpay/invalid-path"],
    ["/mixpay/assets/range?a=..", "/mixpay/assets/range?a=.."],
  ])("%s → %s", (from, to) => expect(canonicalMixpayUrl(from)).toBe(to));

  it("leaves other paths to Next", () => {
    expect(canonicalMixpayUrl("/console//orders")).toBe("/console//orders");
    expect(canonicalMixpayUrl("/api/health")).toBe("/api/health");
  });
});
