import type {
  PaymentNotice,
  WalletOrder,
  WalletPayment,
  WalletProvider,
  WalletRefundRequest,
  WalletRefundResult,
} from "./port";

/**
 * The demo wallet: its "wallet app" is the broker's own hosted checkout page (app/checkout), so
 * the whole flow runs with no outside account. Paying on that page produces the same
 * PaymentNotice a real wallet's verified webhook does. It has no app, so no deep link.
 */
export class DemoWallet implements WalletProvider {
  readonly kind = "demo" as const;

  constructor(
    private readonly publicBaseUrl: string,
    readonly enabled: boolean,
  ) {}

  async createPayment(order: WalletOrder): Promise<WalletPayment> {
    if (!this.enabled) throw new Error("the demo wallet is disabled (DEMO_WALLET_ENABLED)");
    const checkoutUrl = new URL(`/checkout/${order.id}`, this.publicBaseUrl).toString();
    return {
      walletOrderId: order.id,
      // Unique per provider: the demo wallet's "trade number" is the order id without hyphens.
      walletTradeNo: order.id.replace(/-/g, ""),
      checkoutUrl,
      deepLink: "",
      universalUrl: checkoutUrl,
    };
  }

  /** The demo wallet keeps no state of its own: the checkout page reports payments directly. */
  async queryPayment(order: { walletOrderId: string }): Promise<PaymentNotice> {
    return { walletOrderId: order.walletOrderId, status: "pending" };
  }

  /**
   * The demo wallet has nothing to close: its page reads the order, so a cancelled order shows as
   * closed, and a "Pay" pressed anyway goes through applyPaymentNotice and becomes paid_late.
   */
  async close(): Promise<"closed"> {
    return "closed";
  }

  /** Demo refunds always succeed at once; the request id makes them idempotent by construction. */
  async refund(req: WalletRefundRequest): Promise<WalletRefundResult> {
    return { status: "succeeded", providerRefundId: `demo-${req.refundRequestId}` };
  }
}
