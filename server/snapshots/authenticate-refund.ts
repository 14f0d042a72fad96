import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders } from "@/db/schema";
import { dec } from "@/server/money";
import type { Order } from "@/server/orders/transition-order";
import type { MixPayPaymentStatus, MixPayResultApi } from "@/server/settlement/ports";
import type { IncomingSnapshot } from "./process-snapshots";

/**
 * What MixPay's payment-result API said about a trace named by an RF memo, asked before the
 * page's transaction (no transaction is held open over an HTTP call). "unavailable" = no answer
 * (error, timeout, or more candidates than one pass asks about).
 */
export type MixPayVerdicts = ReadonlyMap<string, MixPayPaymentStatus | "unavailable">;

/** A page asks MixPay about at most this many traces; the rest count as "no answer". */
export const MAX_MIXPAY_LOOKUPS_PER_PAGE = 20;

/**
 * Ask MixPay about the traces of the page's RF memos that name one of our orders (a memo naming
 * no order is refused without asking anyone, so a flood of forged memos costs MixPay nothing).
 */
export async function askMixPayAboutRefunds(
  db: Db,
  list: IncomingSnapshot[],
  mixpay: MixPayResultApi | undefined,
): Promise<MixPayVerdicts> {
  const verdicts = new Map<string, MixPayPaymentStatus | "unavailable">();
  const traces = [...new Set(list.filter((s) => s.refund && dec(s.amount).gt(0)).map((s) => s.refund!.traceId))];
  if (!mixpay || traces.length === 0) return verdicts;
  const known = await db.select({ traceId: orders.traceId }).from(orders).where(inArray(orders.traceId, traces));
  for (const [i, { traceId }] of known.entries()) {
    if (i >= MAX_MIXPAY_LOOKUPS_PER_PAGE) {
      verdicts.set(traceId, "unavailable");
      continue;
    }
    verdicts.set(traceId, await mixpay.paymentStatus(traceId).catch(() => "unavailable" as const));
  }
  return verdicts;
}

export interface RefundFacts {
  order: Order | undefined;
  /** The settlement transfer of that order, if one was sent. */
  settled: { amount: string; status: string } | undefined;
  /** An earlier snapshot already refunded this order (in the store or earlier in the page). */
  alreadyRefunded: boolean;
  verdict: MixPayPaymentStatus | "unavailable" | undefined;
}

const REFUNDABLE_FROM = ["settling", "settled", "settlement_failed"];

/**
 * Why an RF|trace|code snapshot must NOT change an order ([] = it is MixPay's refund).
 *
 * What authenticates it: the memo is free text anyone can write, so it proves nothing by itself.
 * The money must come from the order's opponent_id (the bot the broker paid; non-empty and
 * equal), in the order's asset, for exactly the amount the broker settled to it — so whoever
 * sends it gives back precisely what they received, and a dust transfer moves nothing — and
 * once per trace. MixPay's own payment-result API, when it answers with a status, must say the
 * trace failed. When it cannot answer (unreachable, or it does not know the trace) the other
 * checks decide: that is the protocol as documented (the RF memo is MixPay's refund signal), and
 * a sender who returns the exact settled amount gains nothing from the end-user refund.
 */
export function refundMismatches(s: IncomingSnapshot, f: RefundFacts): string[] {
  const o = f.order;
  if (!o) return [`trace ${s.refund?.traceId} names no order of this broker`];
  const why: string[] = [];
  if (!s.opponentId) why.push("the sender is empty");
  else if (s.opponentId.toLowerCase() !== o.opponentId.toLowerCase())
    why.push(`the sender ${s.opponentId} is not the order's opponent_id ${o.opponentId}`);
  if (s.assetId !== o.assetId) why.push(`asset ${s.assetId} is not the order's asset ${o.assetId}`);
  if (!f.settled || f.settled.status === "pending") why.push("the broker never sent this order's settlement");
  else if (!dec(s.amount).eq(dec(f.settled.amount)))
    why.push(`amount ${s.amount} is not the settled amount ${f.settled.amount}`);
  if (f.alreadyRefunded) why.push("this trace was already refunded by an earlier snapshot");
  else if (!REFUNDABLE_FROM.includes(o.status))
    why.push(`the order is ${o.status}, not settling/settled/settlement_failed`);
  if (f.verdict && f.verdict !== "failed" && f.verdict !== "unknown" && f.verdict !== "unavailable") {
    why.push(`MixPay's payment result for the trace is "${f.verdict}", not "failed"`);
  }
  return why;
}
