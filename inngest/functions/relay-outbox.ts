import { inngest } from "../client";
import { sendOutbox } from "../dispatch";

/**
 * Every minute: send the outbox events that were never acknowledged (the app sends them right
 * after commit too; this is the safety net for a crash in between). Event ids are deterministic.
 */
export const relayOutboxFn = inngest.createFunction(
  { id: "relay-outbox", triggers: [{ cron: "* * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    return step.run("send-unsent-events", () => sendOutbox());
  },
);
