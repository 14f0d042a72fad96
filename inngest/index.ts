import "./wire";
import { checkReservationsFn } from "./functions/check-reservations";
import { deliverAlert } from "./functions/deliver-alert";
import { expireOrders } from "./functions/expire-orders";
import { reconcileBinancePayFn } from "./functions/reconcile-binance-pay";
import { reconcileLedgerFn } from "./functions/reconcile-ledger";
import { refundEndUserFn } from "./functions/refund-end-user";
import { redriveStuckOrdersFn } from "./functions/redrive-stuck-orders";
import { relayOutboxFn } from "./functions/relay-outbox";
import { settleOrder } from "./functions/settle-order";
import { syncBalancesFn } from "./functions/sync-balances";
import { watchDeadEnds } from "./functions/watch-dead-ends";
import { watchSnapshots } from "./functions/watch-snapshots";

export { inngest } from "./client";

/** Every durable function of the broker, served at /api/inngest. */
export const functions = [settleOrder, syncBalancesFn, watchSnapshots, refundEndUserFn, expireOrders, relayOutboxFn, redriveStuckOrdersFn, deliverAlert, reconcileBinancePayFn, watchDeadEnds, checkReservationsFn, reconcileLedgerFn];
