/**
 * What settlement needs from the outside world. The Mixin side is implemented by the SDK-based
 * Mixin port (server/mixin); MixPay's payment-result lookup by server/settlement/mixpay-result.ts.
 */
export interface SettlementTransfer {
  requestId: string;
  assetId: string;
  amount: string;
  opponentId: string;
  memo: string;
}

export interface SettlementTransferResult {
  /** Mixin's state of the transaction: "spent" (final), "signed" (accepted, not final yet). */
  state: string;
  transactionHash?: string;
  snapshotId?: string;
  /** True when Mixin already had a transaction with this request id (a retry). */
  alreadyExisted: boolean;
}

export interface SettlementMixin {
  /** Idempotent by requestId: Mixin never pays the same request twice. */
  transfer(t: SettlementTransfer): Promise<SettlementTransferResult>;
  /** The transfer Mixin holds under this request id, if any. */
  lookupTransfer(requestId: string): Promise<SettlementTransferResult | undefined>;
}

export type MixPayPaymentStatus = "success" | "pending" | "unpaid" | "failed" | "auditing" | "unknown";

export interface MixPayResultApi {
  /** MixPay's public payment-result API for a trace id. */
  paymentStatus(traceId: string): Promise<MixPayPaymentStatus>;
}
