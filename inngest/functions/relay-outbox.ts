import { getDb } from "@/db";
import { relayOutbox } from "@/server/outbox/relay-outbox";
import { inngest } from "../client";

/**
 * Every minute: send the outbox events that were never acknowledged (the app sends them right
 * after commit too; this is the safety net for a crash in between). Event ids are deterministic.
 */
export const relayOutboxFn = inngest.createFunction(
  { id: "relay-outbox", triggers: [{ cron: "* * * * *" }], singleton: { key: "relay-outbox", mode: "skip" } },
  async ({ step }) => {
    return step.run("send-unsent-events", async () =>
      relayOutbox(await getDb(), async (events) => {
        await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: e.data })));
      }),
    );
  },
);
