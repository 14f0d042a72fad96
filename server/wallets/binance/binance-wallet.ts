import Decimal from "decimal.js";
import { AppError, AppErrorCode } from "@/server/errors";
import type {
  PaymentNotice,
  WalletOrder,
  WalletPayment,
  WalletProvider,
  WalletRefundRequest,
  WalletRefundResult,
} from "../port";
import {
  BINANCE_CODES,
  BinancePayClient,
  BinancePayError,
  type QueryOrderResult,
  type QueryRefundResult,
} from "./client";
import type { BinancePayConfig } from "./config";

/** How many trade numbers one order may use when creates time out (each lost one is closed). */
const MAX_CREATE_ATTEMPTS = 3;

/**
 * Binance's merchantTradeNo for an order: letters and digits only, at most 32 (research §2).
 * Attempt 0 is the order id without hyphens (32 hex digits, so operators can read it back);
 * a re-create after a lost answer uses `<first 30 hex>r<attempt>`, which no attempt-0 number
 * can equal ('r' is not a hex digit).
 */
export function merchantTradeNoFor(orderId: string, attempt: number): string {
  const hex = orderId.replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new AppError(AppErrorCode.INTERNAL, `not an order id: ${orderId}`);
  if (attempt === 0) return hex;
  if (attempt < 1 || attempt > 9)
    throw new AppError(AppErrorCode.INTERNAL, `trade number attempt out of range: ${attempt}`);
  return `${hex.slice(0, 30)}r${attempt}`;
}

/** Binance takes at most 8 decimals; round up so the broker never under-collects. */
export function binanceAmount(payAmount: string): string {
  return new Decimal(payAmount).toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8);
}

/** Binance Pay's documented maximum order lifetime (v1 docs: 1 hour; v3 unconfirmed, research §2/§8). */
export const BINANCE_MAX_ORDER_EXPIRY_MS = 3_600_000;

/**
 * Binance's orderExpireTime (epoch ms) for an order: MixPay's expired_at (up to 30 days ahead)
 * clamped to `now + maxMs`, because Binance Pay refuses an expiry beyond its maximum. Source:
 * research/binance-pay.md §2 ("orderExpireTime … Default is 1 h. v1 said the maximum was 1 h;
 * the v3 maximum is unconfirmed") and §7 ("If MixPay's window is longer than Binance allows,
 * clamp it and say so"). The broker's order keeps MixPay's expired_at: the Binance checkout may
 * close earlier (the order is then cancelled, its reservation released), never later.
 */
export function binanceOrderExpireTime(
  expiredAt: Date,
  maxMs: number = BINANCE_MAX_ORDER_EXPIRY_MS,
  now: number = Date.now(),
): number {
  return Math.min(expiredAt.getTime(), now + maxMs);
}

/** What a Binance order status means for the broker (research §3). */
export function noticeStatusOf(status: QueryOrderResult["status"]): PaymentNotice["status"] {
  switch (status) {
    case "PAID":
    case "REFUNDING":
    case "REFUNDED":
    case "FULL_REFUNDED":
      return "paid";
    case "CANCELED":
    case "EXPIRED":
    case "ERROR":
      return "closed";
    case "INITIAL":
    case "PENDING":
      return "pending";
  }
}

/** The Binance Pay wallet behind the wallet port. */
export class BinancePayWallet implements WalletProvider {
  readonly kind = "binance" as const;

  constructor(
    readonly client: BinancePayClient,
    readonly config: BinancePayConfig,
  ) {}

  currencyOf(assetId: string): string | undefined {
    return this.config.currencies.get(assetId.toLowerCase());
  }

  /** The merchant's balance per Mixin asset id, for the assets that map to a Binance currency. */
  async readBalances(assetIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const assetId of assetIds) {
      const currency = this.currencyOf(assetId);
      if (currency) out.set(assetId, new Decimal((await this.client.walletBalance(currency)).balance).toFixed(8));
    }
    return out;
  }

  async createPayment(order: WalletOrder): Promise<WalletPayment> {
    const currency = this.currencyOf(order.assetId);
    if (!currency)
      throw new AppError(
        AppErrorCode.PAYMENT_UNAVAILABLE,
        `no Binance Pay currency is configured for asset ${order.assetId} (BINANCE_PAY_ASSET_CURRENCIES)`,
      );
    const returnUrl = new URL(`/r/${order.id}`, this.config.publicBaseUrl).toString();
    const lost: string[] = [];
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      const merchantTradeNo = merchantTradeNoFor(order.id, attempt);
      try {
        const r = await this.client.createOrder({
          env: { terminalType: "WEB" },
          merchantTradeNo,
          orderAmount: binanceAmount(order.payAmount),
          currency,
          description: `MixPay payment ${order.traceId}`,
          goodsDetails: [
            {
              goodsType: "02",
              goodsCategory: "Z000",
              referenceGoodsId: order.id,
              goodsName: `MixPay payment in ${currency}`,
            },
          ],
          returnUrl,
          cancelUrl: returnUrl,
          orderExpireTime: binanceOrderExpireTime(order.expiredAt, this.config.maxOrderExpiryMs),
          // Pay in the order's currency only: no conversion from another coin at Binance's rate.
          supportPayCurrency: currency,
          webhookUrl: this.config.webhookUrl,
          passThroughInfo: JSON.stringify({ orderId: order.id }),
        });
        return {
          walletOrderId: r.prepayId,
          walletTradeNo: merchantTradeNo,
          checkoutUrl: r.checkoutUrl,
          deepLink: r.deeplink,
          universalUrl: r.universalUrl,
        };
      } catch (e) {
        // The order may exist at Binance with links the broker never saw (they cannot be read
        // again): close it and create anew under the next trade number.
        const unknownOutcome =
          e instanceof BinancePayError &&
          (e.outcomeUnknown || e.binanceCode === BINANCE_CODES.INVALID_MERCHANT_TRADE_NO);
        if (!unknownOutcome || attempt === MAX_CREATE_ATTEMPTS - 1) {
          if (lost.length)
            throw new BinancePayError(
              e instanceof BinancePayError ? e.binanceCode : "ERROR",
              `${(e as Error).message} (after closing ${lost.join(", ")})`,
              { cause: e },
            );
          throw e;
        }
        await this.closeLostOrder(merchantTradeNo);
        lost.push(merchantTradeNo);
      }
    }
    throw new AppError(AppErrorCode.PAYMENT_UNAVAILABLE, "Binance Pay did not create the order");
  }

  /** A create whose answer was lost: if Binance has the order, close it (nobody has its links). */
  private async closeLostOrder(merchantTradeNo: string): Promise<void> {
    let q: QueryOrderResult;
    try {
      q = await this.client.queryOrder({ merchantTradeNo });
    } catch (e) {
      if (e instanceof BinancePayError && e.binanceCode === BINANCE_CODES.ORDER_NOT_FOUND) return;
      throw e;
    }
    if (q.status === "INITIAL") await this.client.closeOrder({ merchantTradeNo });
    else if (q.status !== "CANCELED" && q.status !== "EXPIRED") {
      throw new BinancePayError("UNEXPECTED_STATUS", `lost order ${merchantTradeNo} is ${q.status}; not re-creating`);
    }
  }

  async queryOrder(walletOrderId: string): Promise<QueryOrderResult> {
    return this.client.queryOrder({ prepayId: walletOrderId });
  }

  async queryPayment(order: { walletOrderId: string; walletTradeNo: string }): Promise<PaymentNotice> {
    return noticeOf(await this.queryOrder(order.walletOrderId));
  }

  /**
   * Close an unpaid order (at expiry). "closed" = Binance accepted the close; "payment_in_progress"
   * = Binance refused because the user is paying (400204), so it must be queried again later.
   */
  async closePayment(walletOrderId: string): Promise<"closed" | "payment_in_progress"> {
    try {
      await this.client.closeOrder({ prepayId: walletOrderId });
      return "closed";
    } catch (e) {
      if (e instanceof BinancePayError && e.binanceCode === BINANCE_CODES.INVALID_ORDER_STATUS)
        return "payment_in_progress";
      throw e;
    }
  }

  /** The wallet port's close (operator cancel): the same close as at expiry. */
  close(payment: { walletOrderId: string }): Promise<"closed" | "payment_in_progress"> {
    return this.closePayment(payment.walletOrderId);
  }

  /**
   * Refund through Binance with the broker's deterministic refundRequestId (a retry returns the
   * first refund, duplicateRequest=Y), then read its status. Refunds are paid from the broker's
   * Binance balance; too little there is its own error (400304), alerted by the caller.
   */
  async refund(req: WalletRefundRequest): Promise<WalletRefundResult> {
    let refundId: string | undefined;
    try {
      const r = await this.client.refund({
        refundRequestId: req.refundRequestId,
        prepayId: req.walletOrderId,
        refundAmount: binanceAmount(req.amount),
        refundReason: req.reason.slice(0, 256),
        webhookUrl: this.config.webhookUrl,
      });
      refundId = r.refundId;
    } catch (e) {
      if (e instanceof BinancePayError && e.binanceCode === BINANCE_CODES.ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH) {
        return {
          status: "failed",
          errorCode: "insufficient_balance",
          error: `the broker's Binance Pay balance cannot cover ${req.amount} (${e.message})`,
        };
      }
      throw e;
    }
    return refundResultOf(await this.client.queryRefund(req.refundRequestId), refundId);
  }

  /** The status of a refund the broker asked for (refund notification or reconciler). */
  async queryRefund(refundRequestId: string): Promise<WalletRefundResult> {
    return refundResultOf(await this.client.queryRefund(refundRequestId));
  }
}

export function noticeOf(q: QueryOrderResult): PaymentNotice {
  const status = noticeStatusOf(q.status);
  return {
    walletOrderId: q.prepayId,
    status,
    paidAt: status === "paid" && q.transactTime ? new Date(Number(q.transactTime)) : undefined,
    data: {
      binanceStatus: q.status,
      merchantTradeNo: q.merchantTradeNo,
      currency: q.currency,
      orderAmount: q.orderAmount,
      transactionId: q.transactionId ?? undefined,
      commission: q.commission ?? undefined,
    },
  };
}

function refundResultOf(q: QueryRefundResult, refundId?: string): WalletRefundResult {
  const providerRefundId = refundId ?? q.refundId ?? q.refundRequestId;
  // Binance gives back this refund's share of the commission (the ledger books it, and counts it
  // out of a refund still in flight).
  const commissionReturned =
    q.refundCommission && new Decimal(q.refundCommission).gt(0)
      ? new Decimal(q.refundCommission).toFixed(8)
      : undefined;
  switch (q.refundStatus) {
    case "REFUND_SUCCESS":
      return { status: "succeeded", providerRefundId, commissionReturned };
    case "REFUND_PENDING":
      return { status: "processing", providerRefundId, commissionReturned };
    case "REFUND_FAIL":
      return { status: "failed", providerRefundId, error: "Binance Pay reports the refund failed" };
  }
}
