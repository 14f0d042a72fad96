/**
 * The wallet port: what the broker needs from a wallet payment method (demo, Binance Pay, …).
 * Providers are looked up by the `provider` of the wallet row (db/schema/catalog.ts).
 */
export interface WalletOrder {
  id: string;
  traceId: string;
  wallet: string;
  assetId: string;
  assetSymbol: string;
  /** What the end user pays (amount + fee), a decimal string. */
  payAmount: string;
  expiredAt: Date;
}

export interface WalletPayment {
  /** The provider's id for the payment (e.g. Binance prepayId); the demo wallet uses the order id. */
  walletOrderId: string;
  /** Our reference at the provider (e.g. Binance merchantTradeNo), unique per provider. */
  walletTradeNo: string;
  checkoutUrl: string;
  /** "" when the wallet has no app deep link. */
  deepLink: string;
  /** "" when the wallet has no mobile link. */
  universalUrl: string;
}

export interface WalletRefundRequest {
  orderId: string;
  walletOrderId: string;
  /** Deterministic per order: a retry with the same id never refunds twice. */
  refundRequestId: string;
  amount: string;
  reason: string;
}

export interface WalletRefundResult {
  status: "succeeded" | "processing" | "failed";
  providerRefundId?: string;
  error?: string;
  /** A failure the broker reacts to on its own: the wallet account cannot cover the refund (alerted). */
  errorCode?: "insufficient_balance";
  /**
   * The part of the wallet's commission this refund gives back to the broker (Binance Pay's
   * `refundCommission`), a decimal string: the wallet account pays out the refund less this.
   */
  commissionReturned?: string;
}

/** What a wallet says about a payment, after the broker verified it (webhook, query, or demo page). */
export interface PaymentNotice {
  walletOrderId: string;
  status: "paid" | "closed" | "pending";
  paidAt?: Date;
  /** Provider's raw facts kept on the timeline (amounts as strings). */
  data?: Record<string, unknown>;
}

export interface WalletProvider {
  readonly kind: "demo" | "binance";
  createPayment(order: WalletOrder): Promise<WalletPayment>;
  /** Re-read a payment's status from the provider (a notification is only a hint). */
  queryPayment(order: { walletOrderId: string; walletTradeNo: string }): Promise<PaymentNotice>;
  refund(req: WalletRefundRequest): Promise<WalletRefundResult>;
  /**
   * Close an unpaid payment so the end user can no longer pay it (operator cancel). "closed" = the
   * wallet accepted the close; "payment_in_progress" = the wallet refused because the user is paying
   * (the payment will arrive and the order becomes paid_late). Failures throw.
   */
  close(payment: { walletOrderId: string; walletTradeNo: string }): Promise<"closed" | "payment_in_progress">;
  /** The wallet's state of a refund it was asked for (absent when the wallet cannot be asked). */
  queryRefund?(refundRequestId: string): Promise<WalletRefundResult>;
}
