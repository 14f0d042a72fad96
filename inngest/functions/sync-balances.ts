import { getDb } from "@/db";
import { syncBalances } from "@/server/balances/sync-balances";
import { inngest } from "../client";
import { brokerDeps } from "../deps";
import { balanceSyncRequested } from "../events";

/** Passes per run and the pause between them: Inngest crons are per minute, the spec asks for ~10 s. */
export const SYNC_PASSES = 6;
export const SYNC_PAUSE = "10s";

/**
 * Copy the Mixin bot's balances and prices into the store every ~10 s (the spec's recommended
 * worker), so create_order checks the store, not Mixin. A cron starts one run a minute that syncs
 * six times with 10 s sleeps; `singleton: skip` keeps runs from overlapping. A balance/sync.requested
 * event (e.g. after an 11002) starts one at once when none is running.
 */
export const syncBalancesFn = inngest.createFunction(
  { id: "sync-balances", triggers: [{ cron: "* * * * *" }, balanceSyncRequested], singleton: { mode: "skip" }, retries: 2 },
  async ({ step }) => {
    let last = { synced: 0, lowBalance: [] as string[] };
    for (let i = 0; i < SYNC_PASSES; i++) {
      last = await step.run(`sync-balances-${i}`, async () => syncBalances(await getDb(), brokerDeps().balances));
      if (i < SYNC_PASSES - 1) await step.sleep(`pause-${i}`, SYNC_PAUSE);
    }
    return last;
  },
);
