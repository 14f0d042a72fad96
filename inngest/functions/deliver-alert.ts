import { getDb } from "@/db";
import { logAlert, messageOperators, postAlertWebhook } from "@/server/alerts/deliver-alert";
import { env } from "@/server/env";
import { inngest } from "../client";
import { brokerDeps } from "../deps";
import { alertRaised } from "../events";

/**
 * Tell someone about a new alert: always the log (warn), a Mixin message from the bot to each of
 * ALERT_MIXIN_USER_IDS, and ALERT_WEBHOOK_URL when configured (server/alerts/deliver-alert.ts).
 * Each channel is its own step, so a retried webhook never messages the operators again.
 * Operators also see and acknowledge alerts in the console.
 */
export const deliverAlertFn = inngest.createFunction(
  { id: "deliver-alert", triggers: [alertRaised], retries: 6, idempotency: "event.data.alertId" },
  async ({ event, step }) => {
    const alert = await step.run("log-alert", async () => logAlert(await getDb(), event.data.alertId));
    if (!alert) return { delivered: [] };
    const delivered = ["log"];
    const operators = env().ALERT_MIXIN_USER_IDS;
    if (operators.length > 0) {
      await step.run("send-mixin-messages", () => messageOperators(brokerDeps().messenger, operators, alert));
      delivered.push("mixin");
    }
    const url = env().ALERT_WEBHOOK_URL;
    if (!url) return { delivered };
    await step.run("post-alert-webhook", async () => postAlertWebhook(await getDb(), url, alert));
    return { delivered: [...delivered, "webhook"] };
  },
);
