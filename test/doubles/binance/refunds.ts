/**
 * Refunds at the Binance Pay double, as Binance does them: a refund answers REFUND_PENDING and
 * succeeds later (or fails, giving the money back to the merchant balance); a refund gives back
 * its share of the commission; a retried refundRequestId answers the first refund
 * (duplicateRequest "Y"). No HTTP: the notifications are returned as Notices.
 */
import Decimal from "decimal.js";
import type { BinancePayLedger } from "./ledger";
import { ok, refused, type ApiAnswer, type DoubleOrder, type DoubleRefund, type Notice } from "./model";

/** POST /binancepay/openapi/order/refund; `refund` is the refund made (to settle later when pending). */
export function refundOrder(
  ledger: BinancePayLedger,
  body: Record<string, unknown>,
): ApiAnswer & { refund?: DoubleRefund } {
  const id = String(body.refundRequestId ?? "");
  if (!id || id.length > 64) return refused("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: refundRequestId");
  const o = ledger.byPrepay.get(String(body.prepayId ?? ""));
  if (!o) return refused("400301", "INVALID_PREPAY_ID");
  const existing = ledger.refunds.get(id);
  if (existing) {
    existing.calls++;
    return { status: 200, answer: ok(refundView(o, existing, "Y")) };
  }
  if (!["PAID", "REFUNDING", "REFUNDED"].includes(o.status))
    return refused("400204", `INVALID_ORDER_STATUS: ${o.status}`);
  const amount = new Decimal(String(body.refundAmount ?? "0"));
  const left = new Decimal(o.orderAmount).minus(o.refundedAmount);
  if (amount.lte(0) || amount.gt(left)) return refused("400303", "INVALID_REFUND_AMOUNT");
  // The refund's share of the commission comes back to the merchant (all that is left on the last refund).
  const lastRefund = amount.eq(left);
  const refundCommission = lastRefund
    ? new Decimal(o.commission).minus(o.refundedCommission)
    : new Decimal(o.commission).mul(amount).div(o.orderAmount).toDecimalPlaces(8, Decimal.ROUND_DOWN);
  const balance = ledger.balance(o.currency);
  const draw = amount.minus(refundCommission);
  if (balance.lt(draw)) return refused("400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH");
  ledger.balances.set(o.currency, balance.minus(draw));
  o.refundedAmount = new Decimal(o.refundedAmount).plus(amount).toFixed(8);
  o.refundedCommission = new Decimal(o.refundedCommission).plus(refundCommission).toFixed(8);
  const immediate = ledger.refundMode === "immediate";
  const r: DoubleRefund = {
    refundRequestId: id,
    refundId: ledger.newId(),
    prepayId: o.prepayId,
    refundAmount: amount.toFixed(8),
    refundStatus: immediate ? "REFUND_SUCCESS" : "REFUND_PENDING",
    refundCommission: refundCommission.toFixed(8),
    webhookUrl: body.webhookUrl as string | undefined,
    calls: 1,
  };
  ledger.refunds.set(id, r);
  o.status = immediate ? (new Decimal(o.refundedAmount).eq(o.orderAmount) ? "FULL_REFUNDED" : "REFUNDED") : "REFUNDING";
  return {
    status: 200,
    answer: ok(refundView(o, r, "N")),
    notice: immediate ? refundNotice(o, r) : undefined,
    refund: r,
  };
}

/** POST /binancepay/openapi/order/refund/query. */
export function queryRefund(ledger: BinancePayLedger, body: Record<string, unknown>): ApiAnswer {
  const r = ledger.refunds.get(String(body.refundRequestId ?? ""));
  if (!r) return refused("400202", "ORDER_NOT_FOUND: refund");
  const o = ledger.byPrepay.get(r.prepayId)!;
  return {
    status: 200,
    answer: ok({
      ...refundView(o, r, "N"),
      duplicateRequest: undefined,
      refundStatus: r.refundStatus,
      refundedCommission: o.refundedCommission,
      refundCommission: r.refundCommission,
    }),
  };
}

/**
 * A pending refund ends: SUCCESS (or FAIL, which gives the money back to the merchant balance).
 * Answers the PAY_REFUND notification to send (for an ended refund too: a repeat notification).
 */
export function finishRefund(ledger: BinancePayLedger, r: DoubleRefund, fail: boolean): Notice {
  const o = ledger.byPrepay.get(r.prepayId)!;
  if (r.refundStatus === "REFUND_PENDING") {
    r.refundStatus = fail ? "REFUND_FAIL" : "REFUND_SUCCESS";
    if (fail) {
      ledger.balances.set(o.currency, ledger.balance(o.currency).plus(r.refundAmount).minus(r.refundCommission));
      o.refundedAmount = new Decimal(o.refundedAmount).minus(r.refundAmount).toFixed(8);
      o.refundedCommission = new Decimal(o.refundedCommission).minus(r.refundCommission).toFixed(8);
      o.status = new Decimal(o.refundedAmount).isZero() ? "PAID" : "REFUNDED";
    } else o.status = new Decimal(o.refundedAmount).eq(o.orderAmount) ? "FULL_REFUNDED" : "REFUNDED";
  }
  return refundNotice(o, r);
}

function refundView(o: DoubleOrder, r: DoubleRefund, duplicateRequest: "Y" | "N") {
  return {
    refundId: r.refundId,
    refundRequestId: r.refundRequestId,
    prepayId: o.prepayId,
    orderAmount: o.orderAmount,
    refundedAmount: o.refundedAmount,
    refundAmount: r.refundAmount,
    remainingAttempts: 9,
    payerOpenId: "double-payer",
    duplicateRequest,
  };
}

function refundNotice(o: DoubleOrder, r: DoubleRefund): Notice {
  const data = `{"merchantTradeNo":"${o.merchantTradeNo}","productType":"02","productName":"MixPay","tradeType":"WEB","totalFee":${o.orderAmount},"currency":"${o.currency}","refundInfo":{"refundRequestId":"${r.refundRequestId}","prepayId":"${o.prepayId}","orderAmount":${o.orderAmount},"refundedAmount":${o.refundedAmount},"refundAmount":${r.refundAmount},"remainingAttempts":9,"payerOpenId":"double-payer","duplicateRequest":"N"}}`;
  return {
    order: o,
    bizType: "PAY_REFUND",
    bizStatus: r.refundStatus === "REFUND_FAIL" ? "REFUND_REJECTED" : "REFUND_SUCCESS",
    data,
    url: r.webhookUrl ?? o.webhookUrl,
  };
}
