/**
 * The actions of the adversarial property test (what anyone can do to the broker: MixPay, the
 * shopper, an attacker sending the bot money, the operator, Mixin's faults), as fast-check values.
 * ./money-model.ts carries them out; ./money-invariants.ts checks the money after each.
 */
import fc from "fast-check";
import type { FaultMode } from "@/test/doubles/mixin/emulator";

export type Action =
  | { t: "create"; asset: 0 | 1; cents: number; attacker: boolean }
  | { t: "pay"; i: number; late: boolean }
  | { t: "walletCancel"; i: number }
  | { t: "operatorCancel"; i: number }
  | { t: "expireAll" }
  | { t: "settle"; i: number; steps: 1 | 2 | 3 }
  | { t: "retriesExhausted"; i: number }
  | { t: "fault"; target: "transfer" | "request" | "outputs" | "snapshots" | "result"; mode: FaultMode; count: number }
  | { t: "sync"; outage: boolean }
  | { t: "mixpayRefund"; i: number }
  | { t: "topUp"; asset: 0 | 1; cents: number }
  | {
      t: "stranger";
      i: number;
      memo: "rf-dust" | "rf-exact" | "rf-wrong-asset" | "garbled" | "nul" | "plain";
      from: "attacker" | "empty" | "mixpay";
    }
  | { t: "poll" }
  | { t: "refund"; i: number }
  | { t: "walletRefuses"; count: number };

const idx = fc.nat({ max: 20 });
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("create" as const),
      asset: fc.constantFrom(0 as const, 1 as const),
      cents: fc.integer({ min: 100, max: 3000 }),
      attacker: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("pay" as const), i: idx, late: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("walletCancel" as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("operatorCancel" as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("expireAll" as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("settle" as const),
      i: idx,
      steps: fc.constantFrom(1 as const, 2 as const, 3 as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("retriesExhausted" as const), i: idx }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("fault" as const),
      target: fc.constantFrom(
        "transfer" as const,
        "request" as const,
        "outputs" as const,
        "snapshots" as const,
        "result" as const,
      ),
      mode: fc.constantFrom<FaultMode>("500", "500", "drop-after-commit", "timeout"),
      count: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("sync" as const), outage: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("mixpayRefund" as const), i: idx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("topUp" as const),
      asset: fc.constantFrom(0 as const, 1 as const),
      cents: fc.integer({ min: 1, max: 5000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("stranger" as const),
      i: idx,
      memo: fc.constantFrom(
        "rf-dust" as const,
        "rf-exact" as const,
        "rf-wrong-asset" as const,
        "garbled" as const,
        "nul" as const,
        "plain" as const,
      ),
      from: fc.constantFrom("attacker" as const, "empty" as const, "mixpay" as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("poll" as const) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("refund" as const), i: idx }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("walletRefuses" as const), count: fc.integer({ min: 1, max: 3 }) }),
  },
);
