import "server-only";
import { parse as parseLossless } from "lossless-json";
import { z } from "zod";
import { AppError, AppErrorCode } from "@/server/errors";
import { newNonce, signRequest } from "./signing";

/**
 * A thin client of Binance Pay's merchant API (research §1–§6): every call is a signed POST of a
 * JSON body, answered by the envelope {status, code, data, errorMessage}. Answers are parsed
 * without loss (every JSON number stays a decimal string) and validated with zod.
 */
export interface BinancePayClientOptions {
  baseUrl: string;
  apiKey: string;
  secret: string;
  timeoutMs: number;
  now?: () => number;
}

/** Binance answered FAIL, an HTTP error, or nothing at all. Maps to the broker's AppError. */
export class BinancePayError extends AppError {
  /** Binance's result code ("400201"…), "HTTP_<status>", "TIMEOUT" or "NETWORK". */
  readonly binanceCode: string;
  /** The call may have taken effect at Binance (timeout, network error, 5xx). */
  readonly outcomeUnknown: boolean;

  constructor(
    binanceCode: string,
    message: string,
    opts: { outcomeUnknown?: boolean; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(
      opts.retryable ? AppErrorCode.RETRYABLE : AppErrorCode.PAYMENT_UNAVAILABLE,
      `Binance Pay ${binanceCode}: ${message}`,
      {
        details: { binanceCode },
        cause: opts.cause,
      },
    );
    this.name = "BinancePayError";
    this.binanceCode = binanceCode;
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
  }
}

/** Result codes the broker acts on (research §1, §3, §5). */
export const BINANCE_CODES = {
  UNKNOWN_ERROR: "400000",
  INVALID_SIGNATURE: "400002",
  INVALID_MERCHANT_TRADE_NO: "400201",
  ORDER_NOT_FOUND: "400202",
  INVALID_ORDER_STATUS: "400204",
  ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH: "400304",
} as const;

const num = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "a number");
const str = z.string();

const envelope = z.object({
  status: z.string(),
  code: z.string(),
  data: z.unknown().optional(),
  errorMessage: z.string().nullish(),
});

export const createOrderResult = z.object({
  prepayId: str,
  terminalType: str.optional(),
  expireTime: num.optional(),
  qrcodeLink: str.optional(),
  qrContent: str.optional(),
  checkoutUrl: z.url(),
  deeplink: str,
  universalUrl: z.url(),
  currency: str.optional(),
  totalFee: num.optional(),
});
export type CreateOrderResult = z.infer<typeof createOrderResult>;

export const BINANCE_ORDER_STATUSES = [
  "INITIAL",
  "PENDING",
  "PAID",
  "CANCELED",
  "ERROR",
  "REFUNDING",
  "REFUNDED",
  "FULL_REFUNDED",
  "EXPIRED",
] as const;
export const queryOrderResult = z.object({
  merchantId: num.optional(),
  prepayId: str,
  transactionId: str.nullish(),
  merchantTradeNo: str,
  status: z.enum(BINANCE_ORDER_STATUSES),
  currency: str,
  orderAmount: num,
  openUserId: str.nullish(),
  passThroughInfo: str.nullish(),
  transactTime: num.nullish(),
  createTime: num.nullish(),
  commission: num.nullish(),
});
export type QueryOrderResult = z.infer<typeof queryOrderResult>;

export const refundResult = z.object({
  refundId: num.optional(),
  refundRequestId: str,
  prepayId: str,
  orderAmount: num,
  refundedAmount: num,
  refundAmount: num,
  remainingAttempts: num.optional(),
  payerOpenId: str.nullish(),
  duplicateRequest: z.enum(["Y", "N"]).optional(),
});
export type RefundResult = z.infer<typeof refundResult>;

export const queryRefundResult = refundResult.extend({
  refundStatus: z.enum(["REFUND_SUCCESS", "REFUND_FAIL", "REFUND_PENDING"]),
  refundedCommission: num.nullish(),
  refundCommission: num.nullish(),
});
export type QueryRefundResult = z.infer<typeof queryRefundResult>;

export const walletBalanceResult = z.object({ balance: num, asset: str, fiat: str.nullish() });
export type WalletBalanceResult = z.infer<typeof walletBalanceResult>;

const certificatesResult = z.array(z.object({ certSerial: str, certPublic: str.min(1) }));
export type BinanceCertificate = z.infer<typeof certificatesResult>[number];

export interface CreateOrderRequest {
  env: { terminalType: "APP" | "WEB" | "WAP" | "MINI_PROGRAM" | "OTHERS" };
  merchantTradeNo: string;
  orderAmount: string;
  currency: string;
  description: string;
  goodsDetails: { goodsType: "01" | "02"; goodsCategory: string; referenceGoodsId: string; goodsName: string }[];
  returnUrl?: string;
  cancelUrl?: string;
  orderExpireTime?: number;
  supportPayCurrency?: string;
  webhookUrl?: string;
  passThroughInfo?: string;
}

export interface RefundRequest {
  refundRequestId: string;
  prepayId: string;
  refundAmount: string;
  refundReason?: string;
  webhookUrl?: string;
}

export type OrderRef = { prepayId: string } | { merchantTradeNo: string };

export const BINANCE_PATHS = {
  createOrder: "/binancepay/openapi/v3/order",
  queryOrder: "/binancepay/openapi/v2/order/query",
  closeOrder: "/binancepay/openapi/order/close",
  refund: "/binancepay/openapi/order/refund",
  queryRefund: "/binancepay/openapi/order/refund/query",
  certificates: "/binancepay/openapi/certificates",
  balance: "/binancepay/openapi/balance",
} as const;

export class BinancePayClient {
  constructor(private readonly opts: BinancePayClientOptions) {}

  createOrder(req: CreateOrderRequest): Promise<CreateOrderResult> {
    // orderAmount travels as a JSON number with its exact decimal digits (no float round-trip).
    return this.call(BINANCE_PATHS.createOrder, req, createOrderResult, ["orderAmount"]);
  }

  queryOrder(ref: OrderRef): Promise<QueryOrderResult> {
    return this.call(BINANCE_PATHS.queryOrder, ref, queryOrderResult);
  }

  /** true = Binance accepted the close; the outcome arrives as a PAY_CLOSED notification. */
  async closeOrder(ref: OrderRef): Promise<boolean> {
    const r = await this.call(BINANCE_PATHS.closeOrder, ref, z.union([z.boolean(), z.string()]));
    return r === true || r === "true";
  }

  refund(req: RefundRequest): Promise<RefundResult> {
    return this.call(BINANCE_PATHS.refund, req, refundResult, ["refundAmount"]);
  }

  queryRefund(refundRequestId: string): Promise<QueryRefundResult> {
    return this.call(BINANCE_PATHS.queryRefund, { refundRequestId }, queryRefundResult);
  }

  /** Wallet Balance Query: the merchant's funding-wallet balance of one currency (reconciliation). */
  walletBalance(currency: string): Promise<WalletBalanceResult> {
    return this.call(BINANCE_PATHS.balance, { wallet: "FUNDING_WALLET", currency }, walletBalanceResult);
  }

  certificates(): Promise<BinanceCertificate[]> {
    return this.call(BINANCE_PATHS.certificates, {}, certificatesResult);
  }

  private async call<T>(path: string, payload: object, schema: z.ZodType<T>, decimalFields: string[] = []): Promise<T> {
    const body = serialize(payload, decimalFields);
    const timestamp = String((this.opts.now ?? Date.now)());
    const nonce = newNonce();
    const url = new URL(path, this.opts.baseUrl).toString();
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "BinancePay-Timestamp": timestamp,
          "BinancePay-Nonce": nonce,
          "BinancePay-Certificate-SN": this.opts.apiKey,
          "BinancePay-Signature": signRequest(this.opts.secret, timestamp, nonce, body),
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw new BinancePayError(
        timedOut ? "TIMEOUT" : "NETWORK",
        timedOut
          ? `no answer from ${path} within ${this.opts.timeoutMs} ms`
          : `${path} unreachable: ${(e as Error).message}`,
        {
          outcomeUnknown: true,
          retryable: true,
          cause: e,
        },
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new BinancePayError("NETWORK", `${path}: the answer broke off`, {
        outcomeUnknown: true,
        retryable: true,
        cause: e,
      });
    }
    let parsed: z.infer<typeof envelope> | undefined;
    try {
      // Every number stays its decimal text: amounts and 19-digit ids without loss.
      parsed = envelope.parse(parseLossless(text, null, (v: string) => v));
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      const serverSide = res.status >= 500;
      throw new BinancePayError(`HTTP_${res.status}`, `${path} answered ${res.status} without a Binance Pay envelope`, {
        outcomeUnknown: serverSide,
        retryable: serverSide,
      });
    }
    if (parsed.status !== "SUCCESS" || parsed.code !== "000000") {
      const retryable = parsed.code === BINANCE_CODES.UNKNOWN_ERROR || res.status >= 500;
      throw new BinancePayError(parsed.code, parsed.errorMessage ?? parsed.status, {
        retryable,
        outcomeUnknown: res.status >= 500,
      });
    }
    const data = schema.safeParse(parsed.data);
    if (!data.success) {
      throw new BinancePayError(
        "BAD_ANSWER",
        `${path} answered data the broker does not understand: ${data.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      );
    }
    return data.data;
  }
}

/**
 * JSON.stringify, except that the named fields (decimal strings) are written as JSON numbers with
 * exactly their digits, e.g. "1.01000000" → 1.01000000. The same text is signed and sent.
 */
export function serialize(payload: object, decimalFields: string[]): string {
  const marks = new Map<string, string>();
  const json = JSON.stringify(payload, (key, value: unknown) => {
    if (decimalFields.includes(key) && typeof value === "string") {
      if (!/^\d+(\.\d+)?$/.test(value)) throw new AppError(AppErrorCode.INTERNAL, `${key} is not a decimal: ${value}`);
      const mark = `__decimal_${marks.size}__`;
      marks.set(mark, value);
      return mark;
    }
    return value;
  });
  let out = json;
  for (const [mark, value] of marks) out = out.replace(`"${mark}"`, value);
  return out;
}
