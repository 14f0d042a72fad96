/**
 * The Binance Pay double's state, with no HTTP: merchant orders and their life (created, paid by
 * the end user, expired, closed), the merchant's balances (payments credited net of Binance's
 * commission), refunds (refunds.ts), the notifications owed and sent, the request log and the
 * fault switches. Merchant API calls answer an ApiAnswer in Binance's shape.
 */
import { randomBytes } from "node:crypto";
import Decimal from "decimal.js";
import {
  refused,
  ok,
  type ApiAnswer,
  type DoubleFault,
  type DoubleOrder,
  type DoubleRefund,
  type DoubleWebhook,
  type Notice,
  type RequestLog,
} from "./model";

export interface LedgerOptions {
  /** Currencies enabled on the "merchant profile". */
  currencies: string[];
  refundMode: "immediate" | "pending";
  /** Binance's fee rate on payments, reported as `commission`. */
  commissionRate: string;
  /** The furthest ahead orderExpireTime may be. */
  maxOrderExpiryMs: number;
}

export class BinancePayLedger {
  readonly orders = new Map<string, DoubleOrder>(); // by merchantTradeNo
  readonly byPrepay = new Map<string, DoubleOrder>();
  readonly byToken = new Map<string, DoubleOrder>();
  readonly refunds = new Map<string, DoubleRefund>();
  readonly balances = new Map<string, Decimal>();
  readonly webhooks: DoubleWebhook[] = [];
  readonly requests: RequestLog[] = [];
  faults: DoubleFault[] = [];
  refundMode: "immediate" | "pending";
  readonly currencies: Set<string>;
  readonly commissionRate: Decimal;
  readonly maxOrderExpiryMs: number;
  private nextId = 290_000_000_000_000_000n + BigInt(randomBytes(4).readUInt32BE(0)) * 1000n;

  constructor(opts: LedgerOptions) {
    this.currencies = new Set(opts.currencies);
    this.refundMode = opts.refundMode;
    this.commissionRate = new Decimal(opts.commissionRate);
    this.maxOrderExpiryMs = opts.maxOrderExpiryMs;
  }

  /** The next prepayId or refundId (one increasing sequence, as Binance's ids look). */
  newId(): string {
    return String(this.nextId++);
  }

  takeFault(modes: DoubleFault["mode"][], path?: string): DoubleFault | undefined {
    const i = this.faults.findIndex(
      (f) => modes.includes(f.mode) && (!("path" in f) || !f.path || (path ?? "").includes(f.path)),
    );
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) this.faults.splice(i, 1);
    }
    return f;
  }

  balance(currency: string): Decimal {
    return this.balances.get(currency) ?? new Decimal(0);
  }

  balancesView(): Record<string, string> {
    return Object.fromEntries([...this.balances].map(([k, v]) => [k, v.toFixed(8)]));
  }

  refreshStatus(o: DoubleOrder): DoubleOrder {
    if (o.status === "INITIAL" && Date.now() > o.expireTime) o.status = "EXPIRED";
    return o;
  }

  /** An order by prepayId, merchantTradeNo or checkout token. */
  lookup(id: string): DoubleOrder | undefined {
    return this.byPrepay.get(id) ?? this.orders.get(id) ?? this.byToken.get(id);
  }

  private findOrder(body: Record<string, unknown>): DoubleOrder | undefined {
    if (body.prepayId !== undefined) return this.byPrepay.get(String(body.prepayId));
    if (body.merchantTradeNo !== undefined) return this.orders.get(String(body.merchantTradeNo));
    return undefined;
  }

  /** POST /binancepay/openapi/v3/order. `baseUrl` is where the double's checkout pages are. */
  createOrder(body: Record<string, unknown>, baseUrl: string): ApiAnswer {
    const tradeNo = String(body.merchantTradeNo ?? "");
    if (!/^[A-Za-z0-9]{1,32}$/.test(tradeNo)) return refused("400201", "INVALID_MERCHANT_TRADE_NO");
    if (this.orders.has(tradeNo)) return refused("400201", "INVALID_MERCHANT_TRADE_NO: duplicated");
    const amount = String(body.orderAmount ?? "");
    if (!/^\d+(\.\d{1,8})?$/.test(amount) || new Decimal(amount).lt("0.00000001"))
      return refused("400102", "INVALID_PARAM_WRONG_VALUE: orderAmount");
    const currency = String(body.currency ?? "");
    if (!this.currencies.has(currency))
      return refused("400102", `INVALID_PARAM_WRONG_VALUE: currency ${currency} is not enabled`);
    const env = body.env as { terminalType?: string } | undefined;
    if (!env?.terminalType) return refused("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: env.terminalType");
    if (!body.description || !Array.isArray(body.goodsDetails) || body.goodsDetails.length === 0)
      return refused("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: description/goodsDetails");
    for (const k of ["returnUrl", "cancelUrl", "webhookUrl"] as const) {
      const v = body[k];
      if (v !== undefined && (typeof v !== "string" || v.length > 256 || !/^https?:\/\//.test(v)))
        return refused("400102", `INVALID_PARAM_WRONG_VALUE: ${k}`);
    }
    const expireTime = body.orderExpireTime === undefined ? Date.now() + 3_600_000 : Number(body.orderExpireTime);
    if (!Number.isFinite(expireTime) || expireTime <= Date.now())
      return refused("400102", "INVALID_PARAM_WRONG_VALUE: orderExpireTime");
    if (expireTime > Date.now() + this.maxOrderExpiryMs)
      return refused("400102", "INVALID_PARAM_WRONG_VALUE: orderExpireTime exceeds the maximum order lifetime");
    const prepayId = this.newId();
    const token = randomBytes(16).toString("hex");
    const o: DoubleOrder = {
      prepayId,
      merchantTradeNo: tradeNo,
      status: "INITIAL",
      currency,
      orderAmount: new Decimal(amount).toFixed(8),
      description: String(body.description),
      returnUrl: body.returnUrl as string | undefined,
      cancelUrl: body.cancelUrl as string | undefined,
      webhookUrl: body.webhookUrl as string | undefined,
      passThroughInfo: body.passThroughInfo as string | undefined,
      expireTime,
      createTime: Date.now(),
      token,
      refundedAmount: "0",
      commission: "0",
      refundedCommission: "0",
    };
    this.orders.set(tradeNo, o);
    this.byPrepay.set(prepayId, o);
    this.byToken.set(token, o);
    const returnLink = encodeURIComponent(o.returnUrl ?? `${baseUrl}/en/checkout/${token}`);
    return {
      status: 200,
      answer: ok({
        prepayId,
        terminalType: env.terminalType,
        expireTime,
        qrcodeLink: `${baseUrl}/qr/${token}.jpg`,
        qrContent: `${baseUrl}/qr/${token}`,
        checkoutUrl: `${baseUrl}/en/checkout/${token}`,
        deeplink: `bnc://app.binance.com/payment/secpay?tempToken=${token}&returnLink=${returnLink}`,
        universalUrl: `${baseUrl}/payment/secpay?linkToken=${token}&_dp=${Buffer.from(`bnc://app.binance.com/payment/secpay?tempToken=${token}`).toString("base64url")}`,
        currency,
        totalFee: o.orderAmount,
      }),
    };
  }

  /**
   * POST /binancepay/openapi/balance (Wallet Balance Query): the merchant's funding-wallet balance
   * of one currency (what payments add and refunds take).
   */
  walletBalance(body: Record<string, unknown>): ApiAnswer {
    if (body.wallet !== "FUNDING_WALLET" && body.wallet !== "SPOT_WALLET")
      return refused("400102", "INVALID_PARAM_WRONG_VALUE: wallet");
    const currency = String(body.currency ?? "");
    if (!this.currencies.has(currency)) return refused("400102", `INVALID_PARAM_WRONG_VALUE: currency ${currency}`);
    const balance = body.wallet === "FUNDING_WALLET" ? this.balance(currency) : new Decimal(0);
    return {
      status: 200,
      answer: ok({
        balance: balance.toFixed(8),
        asset: currency,
        fiat: "USD",
        availableFiatValuation: "0",
        availableBtcValuation: "0",
      }),
    };
  }

  /** POST /binancepay/openapi/v2/order/query. */
  queryOrder(body: Record<string, unknown>): ApiAnswer {
    const o = this.findOrder(body);
    if (!o) return refused("400202", "ORDER_NOT_FOUND");
    this.refreshStatus(o);
    return {
      status: 200,
      answer: ok({
        merchantId: 98765987,
        prepayId: o.prepayId,
        transactionId: o.transactionId ?? null,
        merchantTradeNo: o.merchantTradeNo,
        status: o.status,
        currency: o.currency,
        orderAmount: o.orderAmount,
        openUserId: o.transactTime ? "double-payer" : null,
        passThroughInfo: o.passThroughInfo ?? null,
        transactTime: o.transactTime ?? null,
        createTime: o.createTime,
        commission: o.commission,
      }),
    };
  }

  /** POST /binancepay/openapi/order/close: the outcome is announced asynchronously (PAY_CLOSED), after the answer. */
  closeOrder(body: Record<string, unknown>): ApiAnswer {
    const o = this.findOrder(body);
    if (!o) return refused("400202", "ORDER_NOT_FOUND");
    this.refreshStatus(o);
    if (o.status === "CANCELED") return { status: 200, answer: ok(true) };
    if (o.status !== "INITIAL") return refused("400204", `INVALID_ORDER_STATUS: ${o.status}`);
    o.status = "CANCELED";
    return { status: 200, answer: ok(true), notice: this.payNotice(o, "PAY_CLOSED") };
  }

  /** The end user pays (checkout page or control API); `late` revives an expired order first. */
  pay(o: DoubleOrder, opts: { late?: boolean } = {}): { order: DoubleOrder; notice?: Notice; error?: string } {
    this.refreshStatus(o);
    if (o.status === "EXPIRED" && opts.late) o.status = "INITIAL";
    if (o.status !== "INITIAL" && o.status !== "PENDING") return { order: o, error: `order is ${o.status}` };
    o.status = "PAID";
    o.transactTime = Date.now();
    o.transactionId = `M_P_${randomBytes(8).toString("hex")}`;
    // Binance keeps its fee: the merchant balance is credited the order amount less commission.
    o.commission = new Decimal(o.orderAmount).mul(this.commissionRate).toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8);
    this.balances.set(o.currency, this.balance(o.currency).plus(o.orderAmount).minus(o.commission));
    return { order: o, notice: this.payNotice(o, "PAY_SUCCESS") };
  }

  private payNotice(o: DoubleOrder, bizStatus: string): Notice {
    const data = `{"merchantTradeNo":"${o.merchantTradeNo}","productType":"02","productName":"MixPay","transactTime":${o.transactTime ?? 0},"tradeType":"WEB","totalFee":${new Decimal(o.orderAmount).toFixed(8)},"currency":"${o.currency}","transactionId":"${o.transactionId ?? ""}","openUserId":"double-payer","commission":${o.commission}}`;
    return { order: o, bizType: "PAY", bizStatus, data, url: o.webhookUrl };
  }
}
