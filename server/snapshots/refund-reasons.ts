/**
 * MixPay's "Reason for refund" table (developers.mixpay.me, api/error-codes), the codes that
 * come back in an RF|trace_id|code memo. Unknown codes are treated as a generic refund.
 */
export const MIXPAY_REFUND_REASONS: Readonly<Record<string, string>> = {
  "10002": "This currency does not exist or is not supported for exchange.",
  "10003": "The Quote currency in Memo is abnormal and not available.",
  "10011": "Parameter error.",
  "10021": "The payee in Memo does not support the settlement currency in Memo.",
  "10052": "Settlement currency is not available in Memo.",
  "10053": "The current payment currency cannot be used as quote currency.",
  "10054": "The current payment currency is not available.",
  "10055": "The settlement currency in Memo has been removed.",
  "10057": "The current payment currency has been removed.",
  "10056": "The current quote currency has been removed.",
  "10066": "The payee in Memo does not support the settlement currency in Memo.",
  "10067": "The payee in Memo does not support payment in the current currency.",
  "10068": "The payee in Memo does not support using the current payment currency as the quote currency.",
  "10069": "The current payment currency does not meet the minimum limit.",
  "10070": "The current payment currency does not meet the maximum limit.",
  "10071": "The current payment currency does not meet the minimum limit.",
  "10072": "The current payment currency does not meet the maximum limit.",
  "10074": "The payeeId is not available.",
  "40000": "Payment timeout.",
  "40001": "The payee does not exist in the url.",
  "40002": "The asset in url does not exist or does not support exchanging.",
  "40003": "The transfer amount exceeds 1000 USDT.",
  "40005": "The minimum number of decimal places in url exceeds the limit.",
  "40006": "The minimum number of integer digits in url exceeds the limit.",
  "40008": "Insufficient balance of assets.",
  "40009": "Server error.",
  "40011": "The system is temporarily out of service.",
  "40012": "Withdrawal methods with memo do not exist.",
  "40013": "Withdrawal assets with memo do not exist.",
  "40014": "The withdrawal address with memo does not exist.",
  "40015": "You currently have an incomplete withdrawal, please complete it first and then try again.",
  "40016": "The withdrawal amount is too large.",
  "40017": "The Withdrawal amount is too small.",
  "40018": "Transfer amount is too small.",
  "40019": "Transfer amount is too large.",
  "40020": "Wrong payment assets.",
  "40021": "Double payment.",
  "40022": "TraceId does not exist.",
  "40023": "Payee does not exist in Memo.",
  "40024": "Wrong Amount paid.",
  "40025": "Too much market volatility.",
  "40027": "Your payment fails due to transaction restrictions on settlement assets.",
};

export function refundReasonText(code: string | undefined): string {
  if (!code) return "Refunded by MixPay (no reason code).";
  return MIXPAY_REFUND_REASONS[code] ?? `Refunded by MixPay (reason code ${code}).`;
}
