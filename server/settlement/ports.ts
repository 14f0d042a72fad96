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

/**
 * How a transfer's signed bytes survive a crash: the port hands the signed raw to
 * `saveSignedRaw` before posting it, and a retry passes the stored raw back as `signedRaw`, which
 * is then posted as is (Mixin's request_id alone does not stop a rebuild from posting other bytes).
 */
export interface TransferHooks {
  signedRaw?: string;
  /** Must persist the raw (or throw): it is posted only after this resolves. */
  saveSignedRaw?(signedRaw: string): Promise<void>;
}

export interface SettlementMixin {
  /**
   * Idempotent by requestId: Mixin never pays the same request twice. Fails with a CONFLICT
   * AppError (details.reason "raw_mismatch" or "request_conflict") when Mixin holds other bytes
   * under this request id: not retryable, an operator must look.
   */
  transfer(t: SettlementTransfer, hooks?: TransferHooks): Promise<SettlementTransferResult>;
  /** The transfer Mixin holds under this request id, if any. */
  lookupTransfer(requestId: string): Promise<SettlementTransferResult | undefined>;
}

export type MixPayPaymentStatus = "success" | "pending" | "unpaid" | "failed" | "auditing" | "unknown";

export interface MixPayResultApi {
  /** MixPay's public payment-result API for a trace id. */
  paymentStatus(traceId: string): Promise<MixPayPaymentStatus>;
}
