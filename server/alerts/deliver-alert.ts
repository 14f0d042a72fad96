import { eq } from "drizzle-orm";
import { v5 as uuidv5 } from "uuid";
import type { Db } from "@/db/client";
import { alerts, outboundAttempts } from "@/db/schema";
import { logger } from "@/server/logger";

/**
 * Telling someone about a new alert (inngest/functions/deliver-alert.ts runs these as steps):
 * the log, a Mixin message from the bot to each operator, and an optional webhook.
 */
export interface AlertToDeliver {
  id: string;
  kind: string;
  severity: string;
  message: string;
  assetId: string | null;
  orderId: string | null;
  createdAt: Date | string;
}

/** Bot messages to operators; Mixin drops a message id it has seen, so a retry never messages twice. */
export interface AlertMessenger {
  sendText(userId: string, text: string, messageId: string): Promise<void>;
}

/** Fixed namespace of the broker's alert message ids (UUID v5 below); never change it, or retries would message again. */
const ALERT_MESSAGE_NAMESPACE = "25654c11-8c25-4cc4-98a8-245519ad109c";

/** One message id per (alert, operator), the same on every retry. */
export function alertMessageId(alertId: string, userId: string): string {
  return uuidv5(`${alertId}:${userId}`, ALERT_MESSAGE_NAMESPACE);
}

/** Read the alert and write it to the log (warn); null when it no longer exists. */
export async function logAlert(db: Db, alertId: string): Promise<AlertToDeliver | null> {
  const [a] = await db.select().from(alerts).where(eq(alerts.id, alertId));
  if (!a) return null;
  logger("alerts").warn(
    { alertId: a.id, kind: a.kind, severity: a.severity, assetId: a.assetId, orderId: a.orderId },
    a.message,
  );
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    message: a.message,
    assetId: a.assetId,
    orderId: a.orderId,
    createdAt: a.createdAt,
  };
}

export async function messageOperators(
  messenger: AlertMessenger,
  operators: string[],
  alert: AlertToDeliver,
): Promise<void> {
  const text = `[${alert.severity}] ${alert.kind}: ${alert.message}`;
  for (const userId of operators) await messenger.sendText(userId, text, alertMessageId(alert.id, userId));
}

/**
 * A JSON POST of the alert to ALERT_WEBHOOK_URL with the alert id as Idempotency-Key. Every
 * attempt is recorded; a failure throws so the caller (an Inngest step) retries it.
 */
export async function postAlertWebhook(db: Db, url: string, alert: AlertToDeliver): Promise<void> {
  const [attempt] = await db
    .insert(outboundAttempts)
    .values({
      kind: "alert_webhook",
      orderId: alert.orderId,
      idempotencyKey: alert.id,
      attempt: 1,
      request: { url, alertId: alert.id },
    })
    .returning({ id: outboundAttempts.id });
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": alert.id },
      body: JSON.stringify({ type: "alert", alert }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`alert webhook answered HTTP ${res.status}`);
    await db
      .update(outboundAttempts)
      .set({ outcome: "succeeded", response: { status: res.status }, finishedAt: new Date() })
      .where(eq(outboundAttempts.id, attempt!.id));
  } catch (e) {
    await db
      .update(outboundAttempts)
      .set({ outcome: "failed", error: (e as Error).message, finishedAt: new Date() })
      .where(eq(outboundAttempts.id, attempt!.id));
    throw e;
  }
}
