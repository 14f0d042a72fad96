import { getDb } from "@/db";
import { syncBalancesWatched } from "@/server/balances/watch-balance-sync";
import { env } from "@/server/env";
import { inngest } from "../client";
import { brokerDeps } from "../deps";
import { balanceSyncRequested } from "../events";

import { loopPlan } from "../loop-plan";

/** Passes per run at the default BALANCE_SYNC_INTERVAL_SECONDS (10 s): Inngest crons are per minute, the spec asks for ~10 s. */
export const SYNC_PASSES = loopPlan(10).passes;

/**
 * Copy the Mixin bot's balances and prices into the store every BALANCE_SYNC_INTERVAL_SECONDS (10 s) (the spec's recommended
 * worker), so create_order checks the store, not Mixin. A cron starts one run a minute that syncs
 * six times with 10 s sleeps; `singleton: skip` keeps runs from overlapping. A balance/sync.requested
 * event (e.g. after an 11002) starts one at once when none is running.
 */
export const syncBalancesFn = inngest.createFunction(
  {
    id: "sync-balances",
    triggers: [{ cron: "* * * * *" }, balanceSyncRequested],
    singleton: { mode: "skip" },
    retries: 2,
  },
  async ({ step }) => {
    const { passes, pause } = loopPlan(env().BALANCE_SYNC_INTERVAL_SECONDS);
    let last = { synced: 0, lowBalance: [] as string[] };
    for (let i = 0; i < passes; i++) {
      // Failures are counted and alerted on (balance_sync_failing) before the step is retried.
      last = await step.run(`sync-balances-${i}`, async () =>
        syncBalancesWatched(await getDb(), brokerDeps().balances, {
          alertAfter: env().BALANCE_SYNC_ALERT_AFTER_FAILURES,
        }),
      );
      if (i < passes - 1) await step.sleep(`pause-${i}`, pause);
    }
    return last;
  },
);
