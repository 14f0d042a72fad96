import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { alerts, outboundAttempts } from "@/db/schema";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { inngest } from "../client";
import { alertRaised } from "../events";

/**
 * Tell someone about a new alert: always the log (warn), and ALERT_WEBHOOK_URL when configured
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
    const url = env().ALERT_WEBHOOK_URL;
    if (!alert || !url) return { delivered: alert ? ["log"] : [] };
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
    return { delivered: ["log", "webhook"] };
  },
);
