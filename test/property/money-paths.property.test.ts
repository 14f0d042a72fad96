/**
 * The adversarial property test of the money paths (issue 11): fast-check draws random
 * interleavings of what MixPay, end users, strangers on Mixin, Mixin's faults and the broker's
 * own background work can do, runs them through the real services against the Mixin emulator,
 * and checks the money invariants after every step (see ./money-model.ts for the list).
 *
 * CI runs a fixed seed and a bounded number of runs; `npm run bench:property` runs longer
 * (PROPERTY_RUNS, PROPERTY_SEED).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDriver } from "@/test/store";
import { finalChecks, stepChecks } from "./money-invariants";
import { actionArb } from "./money-actions";
import { openWorld, runAction, type World } from "./money-model";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
const MAX_ACTIONS = Number(process.env.PROPERTY_MAX_ACTIONS ?? 30);

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(async () => world?.close());

describe(`money paths under random interleavings of attacks and faults (${testDriver()})`, () => {
  it(
    `hold every invariant (seed ${SEED}, ${RUNS} runs of up to ${MAX_ACTIONS} actions)`,
    async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(fc.array(actionArb, { minLength: 5, maxLength: MAX_ACTIONS }), async (actions) => {
          const run = await world.beginRun();
          for (const action of actions) {
            await runAction(run, action);
            await stepChecks(run, action);
          }
          await finalChecks(run);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // The figure the closing note quotes: wall time of the property in CI.
      console.info(`property: ${RUNS} runs, seed ${SEED}, ${Date.now() - started} ms`);
      expect(world.stats.actions).toBeGreaterThan(RUNS * 5 - 1);
    },
    Math.max(120_000, RUNS * 3_000),
  );
});
