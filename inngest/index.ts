import { deliverAlert } from "./functions/deliver-alert";
import { expireOrders } from "./functions/expire-orders";
import { refundEndUserFn } from "./functions/refund-end-user";
import { relayOutboxFn } from "./functions/relay-outbox";

export { inngest } from "./client";

/**
 * Every durable function of the broker, served at /api/inngest. The Mixin-facing functions
 * (settle-order, sync-balances, watch-snapshots) join once the Mixin port is wired (inngest/wire.ts).
 */
export const functions = [expireOrders, relayOutboxFn, refundEndUserFn, deliverAlert];
