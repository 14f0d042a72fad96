import "./wire";
import { checkReservationsFn } from "./functions/check-reservations";
import { deliverAlertFn } from "./functions/deliver-alert";
import { expireOrdersFn } from "./functions/expire-orders";
import { reconcileBinancePayFn } from "./functions/reconcile-binance-pay";
import { reconcileLedgerFn } from "./functions/reconcile-ledger";
import { refundEndUserFn } from "./functions/refund-end-user";
import { redriveStuckOrdersFn } from "./functions/redrive-stuck-orders";
import { relayOutboxFn } from "./functions/relay-outbox";
import { settleOrderFn } from "./functions/settle-order";
import { syncBalancesFn } from "./functions/sync-balances";
import { watchDeadEndsFn } from "./functions/watch-dead-ends";
import { watchSnapshotsFn } from "./functions/watch-snapshots";

export { inngest } from "./client";

/** Every durable function of the broker, served at /api/inngest. */
export const functions = [
  settleOrderFn,
  syncBalancesFn,
  watchSnapshotsFn,
  refundEndUserFn,
  expireOrdersFn,
  relayOutboxFn,
  redriveStuckOrdersFn,
  deliverAlertFn,
  reconcileBinancePayFn,
  watchDeadEndsFn,
  checkReservationsFn,
  reconcileLedgerFn,
];
