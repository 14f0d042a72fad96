import { getDb } from "@/db";
import { logger } from "@/server/logger";
import { relayOutbox } from "@/server/outbox/relay-outbox";
import { inngest } from "./client";

/**
 * Send pending outbox events now, right after the transaction that wrote them. Best effort: if
 * Inngest is unreachable the rows stay unsent and the relay-outbox function retries them.
 */
export async function dispatchOutbox(): Promise<void> {
  try {
    await relayOutbox(await getDb(), async (events) => {
      await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: e.data })));
    });
  } catch (e) {
    logger("outbox").warn({ err: e }, "outbox dispatch deferred; the relay will retry");
  }
}
