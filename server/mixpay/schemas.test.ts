import { describe, expect, it } from "vitest";
import { createOrderParamsSchema, parseParams } from "./schemas";

const body = (expiredAt: number, opponentId = "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37") => ({
  payee_id: "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11",
  wallet: "demo",
  asset_id: "4d8c508b-91c5-375b-92b0-ee702ed2dac5",
  amount: "1.5",
  trace_id: "0b2f0a8e-8d0c-4a8e-9a51-0c7f1f6d1d11",
  memo: "m",
  expired_at: String(expiredAt),
  return_url: "https://mixpay.me/r",
  opponent_id: opponentId,
});

const second = (s: number) => new Date(s * 1000 + 250);

describe("createOrderParamsSchema (built once per second and policy)", () => {
  it("reuses one schema within a second and policy, and makes a new one for another second or policy", () => {
    const a = createOrderParamsSchema(second(1_900_000_000), { maxExpirySeconds: 600 });
    expect(createOrderParamsSchema(new Date(1_900_000_000_900), { maxExpirySeconds: 600 })).toBe(a);
    expect(createOrderParamsSchema(second(1_900_000_001), { maxExpirySeconds: 600 })).not.toBe(a);
    expect(createOrderParamsSchema(second(1_900_000_001), { maxExpirySeconds: 700 })).not.toBe(a);
  });

  it("judges expired_at against the second it is asked for, not the one it was first built for", () => {
    const now = 1_900_000_100;
    const policy = { maxExpirySeconds: 600 };
    expect(parseParams(createOrderParamsSchema(second(now), policy), body(now + 1)).expired_at).toBe(now + 1);
    // One second later the same expired_at is no longer in the future.
    expect(() => parseParams(createOrderParamsSchema(second(now + 1), policy), body(now + 1))).toThrow(
      "expired_at must be in the future",
    );
    // And back: a cached later schema is not used for an earlier second.
    expect(parseParams(createOrderParamsSchema(second(now), policy), body(now + 600)).expired_at).toBe(now + 600);
    expect(() => parseParams(createOrderParamsSchema(second(now), policy), body(now + 601))).toThrow(
      "at most 600 seconds ahead",
    );
  });

  it("applies each policy's bot ids, never a previous policy's", () => {
    const now = 1_900_000_200;
    const bot = "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37";
    const other = "6c0e9e61-2f19-4c2a-8d74-ce5c2c4e1e48";
    expect(() => parseParams(createOrderParamsSchema(second(now), { botIds: [bot] }), body(now + 60, other))).toThrow(
      "opponent_id is not MixPay's bot",
    );
    expect(parseParams(createOrderParamsSchema(second(now), {}), body(now + 60, other)).opponent_id).toBe(other);
    expect(parseParams(createOrderParamsSchema(second(now), { botIds: [bot] }), body(now + 60, bot)).opponent_id).toBe(
      bot,
    );
  });
});
