import { describe, expect, it } from "vitest";
import { feeFor, fmt8, fmtRate, isDecimalString } from "./money";

describe("money", () => {
  it("accepts plain decimals with at most 8 places and nothing else", () => {
    for (const ok of ["1", "0.1", "1.0002", "0.00000001", "123456.12345678"]) expect(isDecimalString(ok)).toBe(true);
    for (const bad of ["", "-1", "+1", "1e-8", "1.", ".5", "01", "1.123456789", " 1", "NaN", "0x10", "1,5"])
      expect(isDecimalString(bad)).toBe(false);
  });

  it("rounds the fee up so the broker never under-collects", () => {
    expect(feeFor("1.0002", "0.01")).toEqual({ fee: "0.01000200", payAmount: "1.01020200" });
    // 0.00000001 × 1% = 1e-10 → rounds up to one unit of the last place.
    expect(feeFor("0.00000001", "0.01")).toEqual({ fee: "0.00000001", payAmount: "0.00000002" });
    expect(feeFor("10", "0")).toEqual({ fee: "0.00000000", payAmount: "10.00000000" });
  });

  it("keeps precision far beyond a float's", () => {
    expect(feeFor("99999999999.99999999", "0.0123").payAmount).toBe("101229999999.99999999");
    expect(fmt8("0.1")).toBe("0.10000000");
  });

  it("prints rates the way MixPay shows them", () => {
    expect(fmtRate("0.01")).toBe("0.0100");
    expect(fmtRate("0.01000000")).toBe("0.0100");
    expect(fmtRate("0.00125")).toBe("0.00125");
  });
});
