import { getDb } from "@/db";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { inngest } from "../client";

/** Every minute: orders not paid by expired_at become expired and release their reservation. */
export const expireOrdersFn = inngest.createFunction(
  { id: "expire-orders", triggers: [{ cron: "* * * * *" }], singleton: { mode: "skip" } },
  async ({ step }) => {
    const result = await step.run("expire-due-orders", async () => expireDueOrders(await getDb()));
    return { expired: result.expired.length };
  },
);
