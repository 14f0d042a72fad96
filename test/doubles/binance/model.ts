/** The Binance Pay double's data: orders, refunds, notifications, faults, and Binance's answer shapes. */

export type DoubleOrderStatus =
  | "INITIAL"
  | "PENDING"
  | "PAID"
  | "CANCELED"
  | "ERROR"
  | "REFUNDING"
  | "REFUNDED"
  | "FULL_REFUNDED"
  | "EXPIRED";

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

export interface RequestLog {
  path: string;
  code: string;
  signatureValid: boolean;
}

/** A notification Binance owes the merchant (sent by webhooks.ts after the state changed). */
export interface Notice {
  order: DoubleOrder;
  bizType: "PAY" | "PAY_REFUND";
  bizStatus: string;
  /** The `data` field: a JSON document as text (numbers as Binance writes them). */
  data: string;
  url: string | undefined;
}

/** What a merchant API call answers, and the notification it sets off once answered. */
export interface ApiAnswer {
  status: number;
  answer: unknown;
  notice?: Notice;
}

export const ok = (data: unknown) => ({ status: "SUCCESS", code: "000000", data, errorMessage: "" });
export const failure = (code: string, errorMessage: string) => ({ status: "FAIL", code, data: null, errorMessage });
/** A 400 refusal in Binance's shape. */
export const refused = (code: string, errorMessage: string): ApiAnswer => ({
  status: 400,
  answer: failure(code, errorMessage),
});
