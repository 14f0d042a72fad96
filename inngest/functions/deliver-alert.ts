import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { alerts, outboundAttempts } from "@/db/schema";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { createHash } from "node:crypto";
import { inngest } from "../client";
import { brokerDeps } from "../deps";
import { alertRaised } from "../events";

function deterministicUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Tell someone about a new alert: always the log (warn), a Mixin message from the bot to each of
 * ALERT_MIXIN_USER_IDS, and ALERT_WEBHOOK_URL when configured
 * (a JSON POST carrying the alert id as Idempotency-Key, retried on failure; every attempt is
 * recorded). Operators also see and acknowledge alerts in the console.
 */
export const deliverAlert = inngest.createFunction(
  { id: "deliver-alert", triggers: [alertRaised], retries: 6, idempotency: "event.data.alertId" },
  async ({ event, step }) => {
    const alert = await step.run("log-alert", async () => {
      const [a] = await (await getDb()).select().from(alerts).where(eq(alerts.id, event.data.alertId));
      if (!a) return null;
      logger("alerts").warn({ alertId: a.id, kind: a.kind, severity: a.severity, assetId: a.assetId, orderId: a.orderId }, a.message);
      return { id: a.id, kind: a.kind, severity: a.severity, message: a.message, assetId: a.assetId, orderId: a.orderId, createdAt: a.createdAt };
    });
    if (!alert) return { delivered: [] };
    const delivered = ["log"];
    const operators = env().ALERT_MIXIN_USER_IDS;
    if (operators.length > 0) {
      await step.run("send-mixin-messages", async () => {
        const text = `[${alert.severity}] ${alert.kind}: ${alert.message}`;
        // One message id per (alert, operator): a retried step never messages twice.
        for (const userId of operators) await brokerDeps().messenger.sendText(userId, text, deterministicUuid(`${alert.id}:${userId}`));
      });
      delivered.push("mixin");
    }
    const url = env().ALERT_WEBHOOK_URL;
    if (!url) return { delivered };
    await step.run("post-alert-webhook", async () => {
      const db = await getDb();
      const [attempt] = await db
        .insert(outboundAttempts)
        .values({ kind: "alert_webhook", orderId: alert.orderId, idempotencyKey: alert.id, attempt: 1, request: { url, alertId: alert.id } })
        .returning({ id: outboundAttempts.id });
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": alert.id },
          body: JSON.stringify({ type: "alert", alert }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`alert webhook answered HTTP ${res.status}`);
        await db.update(outboundAttempts).set({ outcome: "succeeded", response: { status: res.status }, finishedAt: new Date() }).where(eq(outboundAttempts.id, attempt!.id));
      } catch (e) {
        await db.update(outboundAttempts).set({ outcome: "failed", error: (e as Error).message, finishedAt: new Date() }).where(eq(outboundAttempts.id, attempt!.id));
        throw e;
      }
    });
    return { delivered: [...delivered, "webhook"] };
  },
);
