import { getDb } from "@/db";
import { logger } from "@/server/logger";
import { relayOutbox } from "@/server/outbox/relay-outbox";
import { inngest } from "./client";

/**
 * The one outbox sender: claim the unsent outbox rows and send them to Inngest under their
 * deterministic ids. The relay-outbox function runs it every minute; dispatchOutbox right after a commit.
 */
export async function sendOutbox(): Promise<{ sent: number; failed: number }> {
  return relayOutbox(await getDb(), async (events) => {
    await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: e.data })));
  });
}

/**
 * Send pending outbox events now, right after the transaction that wrote them. Best effort: if
 * Inngest is unreachable the rows stay unsent and the relay-outbox function retries them.
 */
export async function dispatchOutbox(): Promise<void> {
  try {
    await sendOutbox();
  } catch (e) {
    logger("outbox").warn({ err: e }, "outbox dispatch deferred; the relay will retry");
  }
}
