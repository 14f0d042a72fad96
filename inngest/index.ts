import { expireOrders } from "./functions/expire-orders";
import { relayOutboxFn } from "./functions/relay-outbox";

export { inngest } from "./client";

/** Every durable function of the broker, served at /api/inngest. */
export const functions = [expireOrders, relayOutboxFn];
