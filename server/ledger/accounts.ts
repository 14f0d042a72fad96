/**
 * The accounts of the books, per asset (docs/ledger.md). Amounts are signed: debit positive,
 * credit negative. Asset accounts (what the broker holds) are debit-normal, so their balance is
 * positive; liabilities, income and funding are credit-normal, so their balance is negative and
 * the console shows it negated ("owed to MixPay 12.5").
 */
export const ACCOUNTS = {
  /** The Mixin bot's unspent outputs. */
  mixinBot: "mixin_bot",
  /** Amounts of orders paid in time that MixPay has not received yet. */
  owedMixpay: "owed_mixpay",
  /** Refunds the broker owes end users (paid late, or MixPay sent the money back). */
  owedEndUsers: "owed_end_users",
  /** The broker's fee on paid orders (reversed when MixPay refunds). */
  feeIncome: "fee_income",
  /** What wallet providers keep (e.g. Binance Pay's commission): an expense. */
  walletCommission: "wallet_commission",
  /** The operator's money in (top-ups, opening balances) and out (withdrawals). */
  operatorFunding: "operator_funding",
  /** What the books cannot explain yet; an operator labels each item. */
  suspense: "suspense",
} as const;

export type FixedAccount = (typeof ACCOUNTS)[keyof typeof ACCOUNTS];
export type Account = FixedAccount | `wallet:${string}`;

/** The broker's merchant balance at a wallet provider (e.g. its Binance Pay account). */
export const walletAccount = (provider: string): Account => `wallet:${provider}`;

export const isWalletAccount = (a: string): a is `wallet:${string}` => a.startsWith("wallet:");

/** Debit-normal accounts: balance shown as is. All others are shown negated. */
export function isDebitNormal(account: string): boolean {
  return (
    account === ACCOUNTS.mixinBot ||
    account === ACCOUNTS.walletCommission ||
    account === ACCOUNTS.suspense ||
    isWalletAccount(account)
  );
}

export const JOURNAL_KINDS = [
  "order_paid",
  "order_paid_late",
  "settlement",
  "mixpay_refund",
  "end_user_refund",
  "wallet_commission",
  "unexplained",
  "opening",
  "difference",
  "label",
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];
