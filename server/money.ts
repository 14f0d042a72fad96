import Decimal from "decimal.js";

/**
 * Money helpers. Amounts are decimal strings at the edges and decimal.js values in between;
 * never JS numbers. Mixin amounts have at most 8 decimal places.
 */
export const MoneyDecimal = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 60,
});
export type Money = InstanceType<typeof MoneyDecimal>;

export const ASSET_DECIMALS = 8;

/** A plain positive-or-zero decimal string with at most `maxDecimals` places (no exponent, sign or spaces). */
export function isDecimalString(s: string, maxDecimals = ASSET_DECIMALS): boolean {
  return new RegExp(`^(0|[1-9]\\d{0,29})(\\.\\d{1,${maxDecimals}})?$`).test(s);
}

export function dec(v: string | Money): Money {
  return new MoneyDecimal(v);
}

/** Round up to 8 decimals: the broker never under-collects a fee. */
export function ceil8(v: Money): Money {
  return v.toDecimalPlaces(ASSET_DECIMALS, Decimal.ROUND_UP);
}

/** Round down to 8 decimals: never offer more than can be covered. */
export function floor8(v: Money): Money {
  return v.toDecimalPlaces(ASSET_DECIMALS, Decimal.ROUND_DOWN);
}

/** Fixed 8-decimal string, as MixPay's examples print amounts ("0.10000000"). */
export function fmt8(v: Money | string): string {
  return dec(v).toFixed(ASSET_DECIMALS);
}

/** The fee for an amount: amount × rate rounded up to 8 decimals; the end user pays amount + fee. */
export function feeFor(amount: string, feeRate: string): { fee: string; payAmount: string } {
  const fee = ceil8(dec(amount).mul(dec(feeRate)));
  return { fee: fee.toFixed(ASSET_DECIMALS), payAmount: dec(amount).plus(fee).toFixed(ASSET_DECIMALS) };
}

/** A rate as MixPay shows it: at least 4 decimals ("0.0100" for 1%), more only when needed. */
export function fmtRate(rate: string): string {
  const d = dec(rate);
  return d.toFixed(Math.max(4, d.decimalPlaces()));
}
