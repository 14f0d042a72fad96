import { getDb } from "@/db";
import { env } from "@/server/env";
import { watchSnapshotsOnce } from "@/server/snapshots/watch-health";
import { inngest } from "../client";
import { dispatchOutbox } from "../dispatch";
import { brokerDeps } from "../deps";
import { loopPlan } from "../loop-plan";

/** Passes per run at the default SNAPSHOT_POLL_INTERVAL_SECONDS (10 s). */
export const WATCH_PASSES = loopPlan(10).passes;

/**
 * Watch the bot's Mixin snapshots (spec, Step 3 §2): settlements confirmed, MixPay's refunds
 * (memo RF|trace_id|code, authenticated against the order and MixPay's payment-result API →
 * the order is mixpay_refunded and the end user's refund is queued), top-ups. Every ~10 s, one
 * singleton run a minute, like the balance sync. Repeated failures and lag raise alerts.
 */
export const watchSnapshotsFn = inngest.createFunction(
  { id: "watch-snapshots", triggers: [{ cron: "* * * * *" }], singleton: { mode: "skip" }, retries: 2 },
  async ({ step }) => {
    const { passes, pause } = loopPlan(env().SNAPSHOT_POLL_INTERVAL_SECONDS);
    let read = 0;
    for (let i = 0; i < passes; i++) {
      const r = await step.run(`poll-snapshots-${i}`, async () => {
        const e = env();
        const polled = await watchSnapshotsOnce(await getDb(), brokerDeps().snapshots, brokerDeps().mixpay, {
          failureAlertAfter: e.SNAPSHOT_WATCH_FAILURE_ALERT_AFTER,
          lagAlertMs: e.SNAPSHOT_WATCH_LAG_ALERT_SECONDS * 1000,
        });
        // Refunds found here are queued in the outbox; hand them to Inngest now, not at the next relay.
        if (polled.outcomes.mixpay_refund) await dispatchOutbox();
        return polled;
      });
      read += r.read;
      if (i < passes - 1) await step.sleep(`pause-${i}`, pause);
    }
    return { read };
  },
);
