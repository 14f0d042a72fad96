import { binancePay } from "@/server/wallets/registry";
import type { WalletBalanceSource } from "./reconcile";

/**
 * The configured wallet providers that can tell their merchant balance. Binance Pay can (Wallet
 * Balance Query); the demo wallet has no balance of its own, so its books are not compared.
 */
export function walletBalanceSources(): WalletBalanceSource[] {
  const pay = binancePay();
  return pay ? [{ provider: "binance", readBalances: (ids) => pay.wallet.readBalances(ids) }] : [];
}
