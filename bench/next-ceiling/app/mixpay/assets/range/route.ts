/**
 * Next.js's own ceiling for a route handler on this machine: the broker's assets/range path with
 * no work at all (no proxy, no transport check, no parameters, no database, no metrics, no log),
 * answering a constant body of the same size and shape as the broker's. bench/mixpay-load.ts
 * copies this app out of the project, builds it, serves it with `next start` and loads it in
 * the same run as the broker and the floor: no route handler can be faster than this one.
 */
export const dynamic = "force-dynamic";

const asset = {
  assetId: "4d8c508b-91c5-375b-92b0-ee702ed2dac5",
  symbol: "USDT",
  minAmount: "1.00000000",
  maxAmount: "1000.00000000",
  feeRate: "0.01000000",
};
const body = JSON.stringify({ code: 0, success: true, message: "", data: [asset, { ...asset, symbol: "BTC" }] });

export function GET(): Response {
  return new Response(body, { headers: { "content-type": "application/json" } });
}
