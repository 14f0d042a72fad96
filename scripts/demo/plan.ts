/**
 * What the demo traffic does, decided up front from a seed: which asset and wallet each order
 * uses, how much it is for, and how its story ends (settled, expired, paid late, refunded by
 * MixPay). The in-process generator (`in-process.ts`: the dev history and the week test) and the
 * HTTP generator (`traffic.ts`: `npm run demo:traffic`) share it, so both make the same mix.
 *
 * The PRNG is mulberry32 (a few lines, public domain): the mix must be the same on every run
 * of a seed, and nothing here needs more than uniform draws.
 */
import Decimal from "decimal.js";
import { DEMO_ASSETS } from "@/db/seed";

/** The demo merchant (linked to merchant@demo.local) and the emulated MixPay bot (test/doubles/mixin/emulator.ts). */
export const DEMO_PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";
export const EMULATED_MIXPAY_BOT_ID = "9c0a2b4e-6c1d-4e8f-9a7b-3d5e1f2a4b6c";

export type Fate = "settled" | "expired" | "paid_late" | "mixpay_refunded";
export type DemoAsset = keyof typeof DEMO_ASSETS;
export type DemoWallet = "demo" | "binance";

export interface PlannedOrder {
  /** Sequence number within the plan (0, 1, …). */
  n: number;
  assetId: string;
  symbol: DemoAsset;
  wallet: DemoWallet;
  /** What MixPay asks for (the broker adds its fee), a decimal string. */
  amount: string;
  fate: Fate;
}

/** Demo prices (the emulator's and the seed's): amounts are drawn in USD and converted. */
export const DEMO_PRICES_USD: Record<DemoAsset, string> = { USDT: "1", BTC: "95000", ETH: "3500" };

/** The share of each fate, in order (cumulative draw). */
export const FATE_MIX: readonly [Fate, number][] = [
  ["settled", 0.74],
  ["expired", 0.14],
  ["paid_late", 0.06],
  ["mixpay_refunded", 0.06],
];
const ASSET_MIX: readonly [DemoAsset, number][] = [
  ["USDT", 0.7],
  ["BTC", 0.15],
  ["ETH", 0.15],
];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(mix: readonly [T, number][], r: number): T {
  let acc = 0;
  for (const [v, share] of mix) {
    acc += share;
    if (r < acc) return v;
  }
  return mix[mix.length - 1]![0];
}

/**
 * Amounts shoppers pay: log-uniform between $2 and $120 (many small payments, a few larger ones),
 * so a week of ~150 orders moves a few thousand dollars and the seeded bot balances (5,000 USDT,
 * 0.05 BTC, 1.5 ETH) last the week without a top-up (a top-up is an unexplained transfer until an
 * operator labels it, which the demo does not pretend to do).
 */
function amountFor(symbol: DemoAsset, r: number): string {
  const usd = Math.exp(Math.log(2) + r * (Math.log(120) - Math.log(2)));
  const units = new Decimal(usd).div(DEMO_PRICES_USD[symbol]);
  return symbol === "USDT"
    ? units.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2)
    : units.toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed(8);
}

/** An endless, deterministic stream of planned orders for a seed. */
export function* planOrders(seed: number): Generator<PlannedOrder> {
  const rnd = mulberry32(seed);
  for (let n = 0; ; n++) {
    const symbol = pick(ASSET_MIX, rnd());
    const wallet: DemoWallet = rnd() < 0.5 ? "demo" : "binance";
    const amount = amountFor(symbol, rnd());
    const fate = pick(FATE_MIX, rnd());
    yield { n, assetId: DEMO_ASSETS[symbol], symbol, wallet, amount, fate };
  }
}

/**
 * When the orders of a simulated stretch arrive: `count` instants between `from` and `to`, denser
 * in the (UTC) day than at night, sorted. Deterministic for a seed.
 */
export function arrivalTimes(seed: number, count: number, from: Date, to: Date): Date[] {
  const rnd = mulberry32(seed ^ 0x5bd1e995);
  const span = to.getTime() - from.getTime();
  const out: number[] = [];
  while (out.length < count) {
    const t = from.getTime() + rnd() * span;
    const hour = new Date(t).getUTCHours();
    // Busy 08–22 UTC, a third as busy at night.
    if (hour >= 8 && hour < 22 ? true : rnd() < 0.33) out.push(Math.floor(t));
  }
  return out.sort((a, b) => a - b).map((t) => new Date(t));
}

/** create_order as MixPay sends it: JSON, every value a string. */
export function createOrderBody(p: PlannedOrder, traceId: string, expiredAtMs: number): Record<string, string> {
  return {
    payee_id: DEMO_PAYEE,
    wallet: p.wallet,
    asset_id: p.assetId,
    amount: p.amount,
    trace_id: traceId,
    memo: Buffer.from(JSON.stringify({ demo: p.n })).toString("base64url"),
    expired_at: String(Math.floor(expiredAtMs / 1000)),
    return_url: "https://mixpay.me/pay/return",
    opponent_id: EMULATED_MIXPAY_BOT_ID,
  };
}
