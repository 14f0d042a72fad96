import { getDb } from "@/db";
import { redriveStuckOrders } from "@/server/orders/redrive-stuck-orders";
import { inngest } from "../client";
import { dispatchOutbox } from "../dispatch";

/** Every 5 minutes: start again the functions of orders stuck in paid/settling/refund states. */
export const redriveStuckOrdersFn = inngest.createFunction(
  { id: "redrive-stuck-orders", triggers: [{ cron: "*/5 * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    const queued = await step.run("queue-stuck-orders", async () => redriveStuckOrders(await getDb()));
    if (queued > 0) await step.run("dispatch-events", async () => dispatchOutbox());
    return { queued };
  },
);
