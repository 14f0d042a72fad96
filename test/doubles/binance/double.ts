/**
 * A Binance Pay double for development and tests: a local HTTP server that answers the merchant
 * API the broker calls (create v3, query v2, close, refund, refund query, certificates), checks
 * every request's signature as Binance Pay does (HMAC-SHA512 of `ts\nnonce\nbody\n` with the API
 * secret, upper-case hex), serves a hosted checkout page, and posts notifications signed with its
 * own RSA key (generated at start, served at /binancepay/openapi/certificates). Fault switches make
 * it answer 5xx, stall past the client's timeout, sign webhooks with a wrong key, or never send
 * them. A control API under /_double/ drives it from tests. Never used in production.
 *
 * It deliberately shares no code with the broker's client: a signing bug there must not be
 * mirrored here.
 *
 * As Binance does: refunds answer REFUND_PENDING and succeed later (after `refundSettleMs`, or on
 * the control call /_double/refunds/:id/complete); a commission is charged on every payment and
 * reported in the order query and the PAY notification (the merchant balance is credited net, and a
 * refund gives back its share); an orderExpireTime beyond `maxOrderExpiryMs` (1 h, Binance's
 * documented maximum) is refused.
 */
import { createHash, createHmac, createSign, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Decimal from "decimal.js";
import { parse as parseLossless } from "lossless-json";

export type DoubleOrderStatus = "INITIAL" | "PENDING" | "PAID" | "CANCELED" | "ERROR" | "REFUNDING" | "REFUNDED" | "FULL_REFUNDED" | "EXPIRED";

export interface DoubleOrder {
  prepayId: string;
  merchantTradeNo: string;
  status: DoubleOrderStatus;
  currency: string;
  orderAmount: string;
  description: string;
  returnUrl?: string;
  cancelUrl?: string;
  webhookUrl?: string;
  passThroughInfo?: string;
  expireTime: number;
  createTime: number;
  transactTime?: number;
  transactionId?: string;
  token: string;
  refundedAmount: string;
  /** Binance's fee on the payment, in the order currency (set when paid). */
  commission: string;
  /** Commission given back with refunds so far. */
  refundedCommission: string;
}

export interface DoubleRefund {
  refundRequestId: string;
  refundId: string;
  prepayId: string;
  refundAmount: string;
  refundStatus: "REFUND_SUCCESS" | "REFUND_PENDING" | "REFUND_FAIL";
  /** This refund's share of the commission, given back to the merchant. */
  refundCommission: string;
  webhookUrl?: string;
  /** How many refund calls carried this refundRequestId (1 = never retried). */
  calls: number;
}

export interface DoubleWebhook {
  url: string;
  prepayId: string;
  bizType: string;
  bizStatus: string;
  headers: Record<string, string>;
  body: string;
  /** HTTP status of the broker's answer (0 = not delivered). */
  status: number;
  response: string;
  suppressed?: boolean;
}

export type DoubleFault =
  | { mode: "5xx"; path?: string; count?: number }
  /** Do the work, then answer only after delayMs (longer than the client's timeout). */
  | { mode: "timeout"; path?: string; count?: number; delayMs?: number }
  /** Sign notifications with a key Binance never published. */
  | { mode: "bad-signature"; count?: number }
  /** Never send notifications (a lost webhook). */
  | { mode: "no-webhook"; count?: number };

export interface BinancePayDoubleOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  secret?: string;
  /** Currencies enabled on the "merchant profile". */
  currencies?: string[];
  /** Requests signed further from the double's clock than this are refused (400003). */
  timestampToleranceMs?: number;
  /**
   * "pending" (the default, as Binance): a refund answers REFUND_PENDING and succeeds after
   * `refundSettleMs` or on /_double/refunds/:id/complete; "immediate": it succeeds at once.
   */
  refundMode?: "immediate" | "pending";
  /** Pending refunds succeed by themselves (with a PAY_REFUND notification) after this long; unset: only on the control call. */
  refundSettleMs?: number;
  /** Binance's fee rate on payments (default 0.001 = 0.1%), reported as `commission`. */
  commissionRate?: string;
  /** The furthest ahead orderExpireTime may be (default 1 h, Binance's documented maximum). */
  maxOrderExpiryMs?: number;
}

interface RequestLog {
  path: string;
  code: string;
  signatureValid: boolean;
}

const ok = (data: unknown) => ({ status: "SUCCESS", code: "000000", data, errorMessage: "" });
const failure = (code: string, errorMessage: string) => ({ status: "FAIL", code, data: null, errorMessage });

export async function startBinancePayDouble(opts: BinancePayDoubleOptions = {}) {
  const apiKey = opts.apiKey ?? `double${randomBytes(12).toString("hex")}`;
  const secret = opts.secret ?? randomBytes(32).toString("hex");
  const tolerance = opts.timestampToleranceMs ?? 5_000;
  const currencies = new Set(opts.currencies ?? ["USDT", "BTC", "ETH", "BNB"]);
  let refundMode = opts.refundMode ?? "pending";
  const refundSettleMs = opts.refundSettleMs;
  const commissionRate = new Decimal(opts.commissionRate ?? "0.001");
  const maxOrderExpiryMs = opts.maxOrderExpiryMs ?? 3_600_000;
  const timers = new Set<NodeJS.Timeout>();

  const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const forger = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const certPublic = platform.publicKey.export({ type: "spki", format: "pem" }).toString();
  const certSerial = createHash("md5").update(platform.publicKey.export({ type: "spki", format: "der" })).digest("hex");

  const orders = new Map<string, DoubleOrder>(); // by merchantTradeNo
  const byPrepay = new Map<string, DoubleOrder>();
  const byToken = new Map<string, DoubleOrder>();
  const refunds = new Map<string, DoubleRefund>();
  const balances = new Map<string, Decimal>();
  const webhooks: DoubleWebhook[] = [];
  const requests: RequestLog[] = [];
  let faults: DoubleFault[] = [];
  let nextPrepay = 290_000_000_000_000_000n + BigInt(randomBytes(4).readUInt32BE(0)) * 1000n;
  let baseUrl = "";

  function takeFault(modes: DoubleFault["mode"][], path?: string): DoubleFault | undefined {
    const i = faults.findIndex((f) => modes.includes(f.mode) && (!("path" in f) || !f.path || (path ?? "").includes(f.path)));
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) faults.splice(i, 1);
    }
    return f;
  }

  function refreshStatus(o: DoubleOrder): DoubleOrder {
    if (o.status === "INITIAL" && Date.now() > o.expireTime) o.status = "EXPIRED";
    return o;
  }

  function queryView(o: DoubleOrder) {
    refreshStatus(o);
    return {
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
    };
  }

  /** Binance's request check: headers, clock, API key, then the HMAC over the exact body. */
  function checkRequest(req: IncomingMessage, body: string): { code: string; message: string } | undefined {
    if (req.method !== "POST") return { code: "400006", message: "BAD_HTTP_METHOD" };
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return { code: "400007", message: "MEDIA_TYPE_NOT_SUPPORTED" };
    const ts = String(req.headers["binancepay-timestamp"] ?? "");
    const nonce = String(req.headers["binancepay-nonce"] ?? "");
    const sn = String(req.headers["binancepay-certificate-sn"] ?? "");
    const sig = String(req.headers["binancepay-signature"] ?? "");
    if (!ts || !nonce || !sn || !sig) return { code: "400100", message: "MANDATORY_PARAM_EMPTY_OR_MALFORMED: BinancePay headers" };
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > tolerance) return { code: "400003", message: "INVALID_TIMESTAMP" };
    if (!/^[A-Za-z0-9]{32}$/.test(nonce)) return { code: "400100", message: "MANDATORY_PARAM_EMPTY_OR_MALFORMED: BinancePay-Nonce" };
    if (sn !== apiKey) return { code: "400004", message: "INVALID_API_KEY_OR_IP" };
    const expected = createHmac("sha512", secret).update(`${ts}\n${nonce}\n${body}\n`).digest("hex").toUpperCase();
    const a = Buffer.from(expected);
    const b = Buffer.from(sig);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { code: "400002", message: "INVALID_SIGNATURE" };
    return undefined;
  }

  async function sendWebhook(o: DoubleOrder, bizType: "PAY" | "PAY_REFUND", bizStatus: string, data: string, url: string | undefined): Promise<DoubleWebhook | undefined> {
    if (!url) return undefined;
    // bizId is a JSON number that loses precision in JavaScript; bizIdStr is exact.
    const body = `{"bizType":"${bizType}","bizId":${o.prepayId},"bizIdStr":"${o.prepayId}","bizStatus":"${bizStatus}","data":${JSON.stringify(data)}}`;
    const record: DoubleWebhook = { url, prepayId: o.prepayId, bizType, bizStatus, headers: {}, body, status: 0, response: "" };
    webhooks.push(record);
    if (takeFault(["no-webhook"])) {
      record.suppressed = true;
      return record;
    }
    const key: KeyObject = takeFault(["bad-signature"]) ? forger.privateKey : platform.privateKey;
    const ts = String(Date.now());
    const nonce = randomLetters(32);
    const signature = createSign("RSA-SHA256").update(`${ts}\n${nonce}\n${body}\n`).sign(key, "base64");
    record.headers = { "content-type": "application/json", "BinancePay-Timestamp": ts, "BinancePay-Nonce": nonce, "BinancePay-Certificate-SN": certSerial, "BinancePay-Signature": signature };
    await deliver(record);
    return record;
  }

  async function deliver(record: DoubleWebhook): Promise<void> {
    try {
      const res = await fetch(record.url, { method: "POST", headers: record.headers, body: record.body, signal: AbortSignal.timeout(15_000) });
      record.status = res.status;
      record.response = await res.text();
    } catch (e) {
      record.status = 0;
      record.response = (e as Error).message;
    }
  }

  /**
   * Deliver an order's last notification again: the same bytes, headers and nonce (a duplicate
   * delivery), or with `fresh` newly signed with a new timestamp and nonce (a Binance retry).
   */
  async function resend(o: DoubleOrder, fresh: boolean): Promise<DoubleWebhook | undefined> {
    const last = [...webhooks].reverse().find((w) => w.prepayId === o.prepayId && !w.suppressed);
    if (!last) return undefined;
    const again: DoubleWebhook = { ...last, headers: { ...last.headers }, status: 0, response: "" };
    if (fresh) {
      const ts = String(Date.now());
      const nonce = randomLetters(32);
      again.headers["BinancePay-Timestamp"] = ts;
      again.headers["BinancePay-Nonce"] = nonce;
      again.headers["BinancePay-Signature"] = createSign("RSA-SHA256").update(`${ts}\n${nonce}\n${again.body}\n`).sign(platform.privateKey, "base64");
    }
    webhooks.push(again);
    await deliver(again);
    return again;
  }

  function payData(o: DoubleOrder): string {
    return `{"merchantTradeNo":"${o.merchantTradeNo}","productType":"02","productName":"MixPay","transactTime":${o.transactTime ?? 0},"tradeType":"WEB","totalFee":${new Decimal(o.orderAmount).toFixed(8)},"currency":"${o.currency}","transactionId":"${o.transactionId ?? ""}","openUserId":"double-payer","commission":${o.commission}}`;
  }

  /** The end user pays (checkout page or control API). */
  async function pay(o: DoubleOrder, opts: { late?: boolean } = {}): Promise<{ order: DoubleOrder; webhook?: DoubleWebhook; error?: string }> {
    refreshStatus(o);
    if (o.status === "EXPIRED" && opts.late) o.status = "INITIAL";
    if (o.status !== "INITIAL" && o.status !== "PENDING") return { order: o, error: `order is ${o.status}` };
    o.status = "PAID";
    o.transactTime = Date.now();
    o.transactionId = `M_P_${randomBytes(8).toString("hex")}`;
    // Binance keeps its fee: the merchant balance is credited the order amount less commission.
    o.commission = new Decimal(o.orderAmount).mul(commissionRate).toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8);
    balances.set(o.currency, (balances.get(o.currency) ?? new Decimal(0)).plus(o.orderAmount).minus(o.commission));
    const webhook = await sendWebhook(o, "PAY", "PAY_SUCCESS", payData(o), o.webhookUrl);
    return { order: o, webhook };
  }

  function route(path: string, body: Record<string, unknown>): { status: number; answer: unknown; after?: () => Promise<unknown> } {
    switch (path) {
      case "/binancepay/openapi/certificates":
        return { status: 200, answer: ok([{ certSerial, certPublic }]) };
      case "/binancepay/openapi/v3/order": {
        const tradeNo = String(body.merchantTradeNo ?? "");
        if (!/^[A-Za-z0-9]{1,32}$/.test(tradeNo)) return { status: 400, answer: failure("400201", "INVALID_MERCHANT_TRADE_NO") };
        if (orders.has(tradeNo)) return { status: 400, answer: failure("400201", "INVALID_MERCHANT_TRADE_NO: duplicated") };
        const amount = String(body.orderAmount ?? "");
        if (!/^\d+(\.\d{1,8})?$/.test(amount) || new Decimal(amount).lt("0.00000001")) return { status: 400, answer: failure("400102", "INVALID_PARAM_WRONG_VALUE: orderAmount") };
        const currency = String(body.currency ?? "");
        if (!currencies.has(currency)) return { status: 400, answer: failure("400102", `INVALID_PARAM_WRONG_VALUE: currency ${currency} is not enabled`) };
        const env = body.env as { terminalType?: string } | undefined;
        if (!env?.terminalType) return { status: 400, answer: failure("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: env.terminalType") };
        if (!body.description || !Array.isArray(body.goodsDetails) || body.goodsDetails.length === 0) return { status: 400, answer: failure("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: description/goodsDetails") };
        for (const k of ["returnUrl", "cancelUrl", "webhookUrl"] as const) {
          const v = body[k];
          if (v !== undefined && (typeof v !== "string" || v.length > 256 || !/^https?:\/\//.test(v))) return { status: 400, answer: failure("400102", `INVALID_PARAM_WRONG_VALUE: ${k}`) };
        }
        const expireTime = body.orderExpireTime === undefined ? Date.now() + 3_600_000 : Number(body.orderExpireTime);
        if (!Number.isFinite(expireTime) || expireTime <= Date.now()) return { status: 400, answer: failure("400102", "INVALID_PARAM_WRONG_VALUE: orderExpireTime") };
        if (expireTime > Date.now() + maxOrderExpiryMs) return { status: 400, answer: failure("400102", "INVALID_PARAM_WRONG_VALUE: orderExpireTime exceeds the maximum order lifetime") };
        const prepayId = String(nextPrepay++);
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
        orders.set(tradeNo, o);
        byPrepay.set(prepayId, o);
        byToken.set(token, o);
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
      case "/binancepay/openapi/balance": {
        // Wallet Balance Query: the merchant's funding-wallet balance of one currency (what
        // payments add and refunds take, the `balances` state above).
        if (body.wallet !== "FUNDING_WALLET" && body.wallet !== "SPOT_WALLET") return { status: 400, answer: failure("400102", "INVALID_PARAM_WRONG_VALUE: wallet") };
        const currency = String(body.currency ?? "");
        if (!currencies.has(currency)) return { status: 400, answer: failure("400102", `INVALID_PARAM_WRONG_VALUE: currency ${currency}`) };
        const balance = body.wallet === "FUNDING_WALLET" ? (balances.get(currency) ?? new Decimal(0)) : new Decimal(0);
        return { status: 200, answer: ok({ balance: balance.toFixed(8), asset: currency, fiat: "USD", availableFiatValuation: "0", availableBtcValuation: "0" }) };
      }
      case "/binancepay/openapi/v2/order/query": {
        const o = findOrder(body);
        if (!o) return { status: 400, answer: failure("400202", "ORDER_NOT_FOUND") };
        return { status: 200, answer: ok(queryView(o)) };
      }
      case "/binancepay/openapi/order/close": {
        const o = findOrder(body);
        if (!o) return { status: 400, answer: failure("400202", "ORDER_NOT_FOUND") };
        refreshStatus(o);
        if (o.status === "CANCELED") return { status: 200, answer: ok(true) };
        if (o.status !== "INITIAL") return { status: 400, answer: failure("400204", `INVALID_ORDER_STATUS: ${o.status}`) };
        o.status = "CANCELED";
        // The outcome is announced asynchronously (PAY_CLOSED), after the answer.
        return { status: 200, answer: ok(true), after: () => sendWebhook(o, "PAY", "PAY_CLOSED", payData(o), o.webhookUrl) };
      }
      case "/binancepay/openapi/order/refund": {
        const id = String(body.refundRequestId ?? "");
        if (!id || id.length > 64) return { status: 400, answer: failure("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED: refundRequestId") };
        const o = byPrepay.get(String(body.prepayId ?? ""));
        if (!o) return { status: 400, answer: failure("400301", "INVALID_PREPAY_ID") };
        const existing = refunds.get(id);
        if (existing) {
          existing.calls++;
          return { status: 200, answer: ok(refundView(o, existing, "Y")) };
        }
        if (!["PAID", "REFUNDING", "REFUNDED"].includes(o.status)) return { status: 400, answer: failure("400204", `INVALID_ORDER_STATUS: ${o.status}`) };
        const amount = new Decimal(String(body.refundAmount ?? "0"));
        const left = new Decimal(o.orderAmount).minus(o.refundedAmount);
        if (amount.lte(0) || amount.gt(left)) return { status: 400, answer: failure("400303", "INVALID_REFUND_AMOUNT") };
        // The refund's share of the commission comes back to the merchant (all that is left on the last refund).
        const lastRefund = amount.eq(left);
        const refundCommission = lastRefund
          ? new Decimal(o.commission).minus(o.refundedCommission)
          : new Decimal(o.commission).mul(amount).div(o.orderAmount).toDecimalPlaces(8, Decimal.ROUND_DOWN);
        const balance = balances.get(o.currency) ?? new Decimal(0);
        const draw = amount.minus(refundCommission);
        if (balance.lt(draw)) return { status: 400, answer: failure("400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH") };
        balances.set(o.currency, balance.minus(draw));
        o.refundedAmount = new Decimal(o.refundedAmount).plus(amount).toFixed(8);
        o.refundedCommission = new Decimal(o.refundedCommission).plus(refundCommission).toFixed(8);
        const r: DoubleRefund = {
          refundRequestId: id,
          refundId: String(nextPrepay++),
          prepayId: o.prepayId,
          refundAmount: amount.toFixed(8),
          refundStatus: refundMode === "immediate" ? "REFUND_SUCCESS" : "REFUND_PENDING",
          refundCommission: refundCommission.toFixed(8),
          webhookUrl: body.webhookUrl as string | undefined,
          calls: 1,
        };
        refunds.set(id, r);
        o.status = refundMode === "immediate" ? (new Decimal(o.refundedAmount).eq(o.orderAmount) ? "FULL_REFUNDED" : "REFUNDED") : "REFUNDING";
        if (refundMode === "pending" && refundSettleMs !== undefined) {
          const t = setTimeout(() => {
            timers.delete(t);
            if (r.refundStatus === "REFUND_PENDING") void finishRefund(r, false, true);
          }, refundSettleMs);
          t.unref();
          timers.add(t);
        }
        return { status: 200, answer: ok(refundView(o, r, "N")), after: refundMode === "immediate" ? () => notifyRefund(o, r) : undefined };
      }
      case "/binancepay/openapi/order/refund/query": {
        const r = refunds.get(String(body.refundRequestId ?? ""));
        if (!r) return { status: 400, answer: failure("400202", "ORDER_NOT_FOUND: refund") };
        const o = byPrepay.get(r.prepayId)!;
        return { status: 200, answer: ok({ ...refundView(o, r, "N"), duplicateRequest: undefined, refundStatus: r.refundStatus, refundedCommission: o.refundedCommission, refundCommission: r.refundCommission }) };
      }
      default:
        return { status: 404, answer: { status: "ERROR", type: "SYS", code: "100001001", errorMessage: "no such API" } };
    }
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

  function notifyRefund(o: DoubleOrder, r: DoubleRefund) {
    const data = `{"merchantTradeNo":"${o.merchantTradeNo}","productType":"02","productName":"MixPay","tradeType":"WEB","totalFee":${o.orderAmount},"currency":"${o.currency}","refundInfo":{"refundRequestId":"${r.refundRequestId}","prepayId":"${o.prepayId}","orderAmount":${o.orderAmount},"refundedAmount":${o.refundedAmount},"refundAmount":${r.refundAmount},"remainingAttempts":9,"payerOpenId":"double-payer","duplicateRequest":"N"}}`;
    return sendWebhook(o, "PAY_REFUND", r.refundStatus === "REFUND_FAIL" ? "REFUND_REJECTED" : "REFUND_SUCCESS", data, r.webhookUrl ?? o.webhookUrl);
  }

  /** A pending refund ends: SUCCESS (or FAIL, which gives the money back to the merchant balance), then the PAY_REFUND notification. */
  async function finishRefund(r: DoubleRefund, fail: boolean, notify: boolean): Promise<DoubleWebhook | undefined> {
    const o = byPrepay.get(r.prepayId)!;
    if (r.refundStatus === "REFUND_PENDING") {
      r.refundStatus = fail ? "REFUND_FAIL" : "REFUND_SUCCESS";
      if (fail) {
        balances.set(o.currency, (balances.get(o.currency) ?? new Decimal(0)).plus(r.refundAmount).minus(r.refundCommission));
        o.refundedAmount = new Decimal(o.refundedAmount).minus(r.refundAmount).toFixed(8);
        o.refundedCommission = new Decimal(o.refundedCommission).minus(r.refundCommission).toFixed(8);
        o.status = new Decimal(o.refundedAmount).isZero() ? "PAID" : "REFUNDED";
      } else o.status = new Decimal(o.refundedAmount).eq(o.orderAmount) ? "FULL_REFUNDED" : "REFUNDED";
    }
    return notify ? notifyRefund(o, r) : undefined;
  }

  function findOrder(body: Record<string, unknown>): DoubleOrder | undefined {
    if (body.prepayId !== undefined) return byPrepay.get(String(body.prepayId));
    if (body.merchantTradeNo !== undefined) return orders.get(String(body.merchantTradeNo));
    return undefined;
  }

  /** An order by prepayId, merchantTradeNo or checkout token. */
  function lookup(id: string): DoubleOrder | undefined {
    return byPrepay.get(id) ?? orders.get(id) ?? byToken.get(id);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> {
    const fault = takeFault(["5xx", "timeout"], path);
    if (fault?.mode === "5xx") {
      requests.push({ path, code: "HTTP_503", signatureValid: false });
      res.writeHead(503, { "content-type": "text/html" });
      res.end("<html><body>503 Service Temporarily Unavailable</body></html>");
      return;
    }
    const bad = checkRequest(req, raw);
    let body: Record<string, unknown> = {};
    if (!bad) {
      try {
        // Amounts stay their decimal text, as Binance reads them.
        const parsed = parseLossless(raw, null, (v: string) => v);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        body = parsed as Record<string, unknown>;
      } catch {
        requests.push({ path, code: "400008", signatureValid: true });
        return send(res, 400, failure("400008", "INVALID_REQUEST_BODY"));
      }
    }
    const r = bad ? { status: 400, answer: failure(bad.code, bad.message) } : route(path, body);
    requests.push({ path, code: (r.answer as { code: string }).code, signatureValid: !bad || bad.code !== "400002" });
    if (fault?.mode === "timeout") await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 15_000));
    send(res, r.status, r.answer);
    if (r.after) void r.after();
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> {
    const input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const m = /^\/_double\/orders\/([^/]+)(?:\/(pay|pending|webhook))?$/.exec(path);
    if (path === "/_double/state" && req.method === "GET") {
      return send(res, 200, { apiKey, certSerial, orders: [...orders.values()].map(refreshStatus), refunds: [...refunds.values()], webhooks, requests, faults, balances: Object.fromEntries([...balances].map(([k, v]) => [k, v.toFixed(8)])) });
    }
    if (m && req.method === "GET" && !m[2]) {
      const o = lookup(decodeURIComponent(m[1]!));
      return o ? send(res, 200, refreshStatus(o)) : send(res, 404, { error: "no such order" });
    }
    if (m && req.method === "POST" && m[2]) {
      const o = lookup(decodeURIComponent(m[1]!));
      if (!o) return send(res, 404, { error: "no such order" });
      if (m[2] === "pay") return send(res, 200, await pay(o, { late: input.late === true }));
      if (m[2] === "pending") {
        o.status = "PENDING";
        return send(res, 200, o);
      }
      const again = await resend(o, input.fresh === true);
      return again ? send(res, 200, again) : send(res, 404, { error: "no notification was sent for this order" });
    }
    if (path === "/_double/faults" && req.method === "POST") {
      faults.push(input as unknown as DoubleFault);
      return send(res, 200, faults);
    }
    if (path === "/_double/faults" && req.method === "DELETE") {
      faults = [];
      return send(res, 200, faults);
    }
    if (path === "/_double/balances" && req.method === "POST") {
      balances.set(String(input.currency), new Decimal(String(input.amount)));
      return send(res, 200, Object.fromEntries([...balances].map(([k, v]) => [k, v.toFixed(8)])));
    }
    if (path === "/_double/refund-mode" && req.method === "POST") {
      refundMode = input.mode === "pending" ? "pending" : "immediate";
      return send(res, 200, { refundMode });
    }
    const rc = /^\/_double\/refunds\/([^/]+)\/complete$/.exec(path);
    if (rc && req.method === "POST") {
      const r = refunds.get(decodeURIComponent(rc[1]!));
      if (!r) return send(res, 404, { error: "no such refund" });
      const webhook = await finishRefund(r, input.fail === true, input.notify !== false);
      return send(res, 200, { refund: r, webhook });
    }
    return send(res, 404, { error: `no control route ${req.method} ${path}` });
  }

  /** The hosted checkout (what checkoutUrl and universalUrl open). */
  async function handleCheckout(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const m = /^\/(?:en\/checkout|payment\/secpay)\/?([0-9a-f]*)(\/pay)?$/.exec(path);
    const token = m?.[1] || new URL(req.url ?? "/", "http://x").searchParams.get("linkToken") || "";
    const o = byToken.get(token);
    if (!m || !o) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("no such checkout");
      return;
    }
    if (m[2] && req.method === "POST") {
      const r = await pay(o);
      if (r.error) {
        res.writeHead(409, { "content-type": "text/plain" });
        res.end(r.error);
        return;
      }
      res.writeHead(302, { location: o.returnUrl ?? `${baseUrl}/en/checkout/${token}` });
      res.end();
      return;
    }
    refreshStatus(o);
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>Binance Pay (double)</title></head><body>
<h1>Binance Pay checkout (test double)</h1>
<p>Order <span data-testid="merchant-trade-no">${o.merchantTradeNo}</span></p>
<p>Amount <strong data-testid="binance-amount">${o.orderAmount} ${o.currency}</strong></p>
<p>Status <span data-testid="binance-status">${o.status}</span></p>
<form method="post" action="/en/checkout/${token}/pay"><button type="submit">Pay with Binance</button></form>
${o.cancelUrl ? `<p><a href="${o.cancelUrl}">Cancel</a></p>` : ""}
</body></html>`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://double").pathname;
      const work = path.startsWith("/_double/")
        ? handleControl(req, res, path, raw)
        : path.startsWith("/binancepay/")
          ? handleApi(req, res, path, raw)
          : handleCheckout(req, res, path);
      work.catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, { error: (e as Error).message });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host ?? "127.0.0.1"}:${port}`;

  return {
    url: baseUrl,
    port,
    apiKey,
    secret,
    certSerial,
    /** The order as the double has it (by prepayId, merchantTradeNo or checkout token). */
    order: (id: string) => {
      const o = lookup(id);
      return o ? { ...refreshStatus(o) } : undefined;
    },
    orders: () => [...orders.values()].map((o) => ({ ...refreshStatus(o) })),
    refunds: () => [...refunds.values()].map((r) => ({ ...r })),
    webhooks: () => webhooks.map((w) => ({ ...w })),
    requests: () => requests.map((r) => ({ ...r })),
    pay: async (id: string, o: { late?: boolean } = {}) => {
      const order = lookup(id);
      if (!order) throw new Error(`no order ${id} at the double`);
      return pay(order, o);
    },
    resendWebhook: async (id: string, o: { fresh?: boolean } = {}) => {
      const order = lookup(id);
      if (!order) throw new Error(`no order ${id} at the double`);
      return resend(order, o.fresh ?? false);
    },
    /** The user opened the order in the app and is paying: a close is refused now (400204). */
    setPending: (id: string) => {
      const order = lookup(id);
      if (!order) throw new Error(`no order ${id} at the double`);
      order.status = "PENDING";
    },
    setRefundMode: (mode: "immediate" | "pending") => {
      refundMode = mode;
    },
    /** A pending refund succeeds (or fails) at Binance; `notify: false` loses its notification (the reconciler must find it). */
    completeRefund: async (refundRequestId: string, o: { fail?: boolean; notify?: boolean } = {}) => {
      const r = refunds.get(refundRequestId);
      if (!r) throw new Error(`no refund ${refundRequestId} at the double`);
      return finishRefund(r, o.fail ?? false, o.notify ?? true);
    },
    setFault: (f: DoubleFault) => faults.push({ ...f }),
    clearFaults: () => {
      faults = [];
    },
    setBalance: (currency: string, amount: string) => balances.set(currency, new Decimal(amount)),
    balance: (currency: string) => (balances.get(currency) ?? new Decimal(0)).toFixed(8),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BinancePayDouble = Awaited<ReturnType<typeof startBinancePayDouble>>;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function randomLetters(n: number): string {
  const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  for (const b of randomBytes(n)) s += abc[b % abc.length];
  return s;
}
