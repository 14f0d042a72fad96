import { parse as parseLossless } from "lossless-json";
import { z } from "zod";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { walletWebhookReceipts } from "@/db/schema";
import { logger } from "@/server/logger";
import { recordOrderEvent } from "@/server/orders/transition-order";
import type { BinanceCertificates } from "./certificates";
import type { BinancePayWallet } from "./binance-wallet";
import { findBinanceOrder, reconcileBinanceOrder, reconcileBinanceRefund } from "./apply-binance-order";
import { verifyWebhookSignature } from "./signing";

export interface BinanceWebhookAnswer {
  status: number;
  body: { returnCode: "SUCCESS" | "FAIL"; returnMessage: string | null };
  /** What the broker did, for logs and tests. */
  outcome: string;
}

export interface BinanceWebhookDeps {
  wallet: BinancePayWallet;
  certificates: BinanceCertificates;
  now?: () => number;
}

const ACTOR = "wallet:binance";
const ok = (outcome: string): BinanceWebhookAnswer => ({
  status: 200,
  body: { returnCode: "SUCCESS", returnMessage: null },
  outcome,
});
const fail = (status: number, outcome: string, message: string): BinanceWebhookAnswer => ({
  status,
  body: { returnCode: "FAIL", returnMessage: message },
  outcome,
});

const notification = z.object({
  bizType: z.string(),
  // Read as text by the lossless parser; bizIdStr is the exact prepayId (bizId is a lossy JSON number).
  bizIdStr: z.string().regex(/^\d{1,32}$/),
  bizStatus: z.string(),
  data: z.string(),
});

/**
 * A Binance Pay notification (research §4), in this order: headers, freshness, the platform
 * certificate named by BinancePay-Certificate-SN, the RSA signature over the raw body, replay
 * (nonce already applied), then parsing (data is a JSON string parsed a second time, without
 * loss). The notification is only a hint: the order (or refund) is re-read from Binance and the
 * broker acts on that. The nonce is recorded only after the work is done, so a delivery that
 * failed half-way is applied when Binance retries it.
 */
export async function handleBinanceWebhook(
  db: Db,
  req: { headers: Headers; rawBody: string },
  deps: BinanceWebhookDeps,
): Promise<BinanceWebhookAnswer> {
  const log = logger("binance-webhook");
  const h = req.headers;
  const timestamp = h.get("binancepay-timestamp") ?? "";
  const nonce = h.get("binancepay-nonce") ?? "";
  const serial = h.get("binancepay-certificate-sn") ?? "";
  const signature = h.get("binancepay-signature") ?? "";
  if (!/^\d{10,16}$/.test(timestamp) || !/^[A-Za-z0-9]{1,64}$/.test(nonce) || !serial || !signature) {
    return fail(400, "bad_headers", "missing or malformed BinancePay-* headers");
  }
  const now = (deps.now ?? Date.now)();
  if (Math.abs(now - Number(timestamp)) > deps.wallet.config.webhookToleranceMs) {
    log.warn({ timestamp, nonce }, "stale Binance Pay notification refused");
    return fail(400, "stale", "timestamp outside the accepted window");
  }
  const key = await deps.certificates.publicKey(serial);
  if (!key) {
    log.warn({ serial }, "Binance Pay notification names an unknown certificate");
    return fail(401, "unknown_certificate", "unknown certificate serial");
  }
  if (!verifyWebhookSignature(key, timestamp, nonce, req.rawBody, signature)) {
    log.warn({ serial, nonce }, "Binance Pay notification with a bad signature refused");
    return fail(401, "bad_signature", "signature does not verify");
  }
  const [seen] = await db
    .select({ nonce: walletWebhookReceipts.nonce })
    .from(walletWebhookReceipts)
    .where(and(eq(walletWebhookReceipts.provider, "binance"), eq(walletWebhookReceipts.nonce, nonce)));
  if (seen) {
    // Already applied; acknowledged so Binance stops, but not applied again.
    log.info({ nonce }, "replayed Binance Pay notification ignored");
    return ok("replay");
  }

  let n: z.infer<typeof notification>;
  let data: Record<string, unknown>;
  try {
    n = notification.parse(parseLossless(req.rawBody, null, (v: string) => v));
    const inner = parseLossless(n.data, null, (v: string) => v);
    data = typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : {};
  } catch (e) {
    return fail(400, "bad_body", `unreadable notification: ${(e as Error).message}`);
  }

  const order = await findBinanceOrder(db, n.bizIdStr);
  let outcome: string;
  if (!order) {
    // Not ours (another system on the merchant account) or a lost create the broker closed.
    log.info(
      { bizType: n.bizType, prepayId: n.bizIdStr, bizStatus: n.bizStatus },
      "Binance Pay notification for no order of this broker",
    );
    outcome = "unknown_order";
  } else if (n.bizType === "PAY") {
    await recordOrderEvent(db, {
      orderId: order.id,
      type: "wallet.notified",
      actor: ACTOR,
      message: `Binance Pay notified ${n.bizStatus}; re-reading the order`,
      data: {
        bizStatus: n.bizStatus,
        merchantTradeNo: data.merchantTradeNo,
        totalFee: data.totalFee,
        currency: data.currency,
        transactionId: data.transactionId,
      },
    });
    outcome = await reconcileBinanceOrder(db, deps.wallet, order, ACTOR, new Date(now));
  } else if (n.bizType === "PAY_REFUND") {
    await recordOrderEvent(db, {
      orderId: order.id,
      type: "wallet.refund_notified",
      actor: ACTOR,
      message: `Binance Pay notified ${n.bizStatus}; re-reading the refund`,
      data: { bizStatus: n.bizStatus, refundInfo: data.refundInfo },
    });
    outcome = await reconcileBinanceRefund(db, deps.wallet, order, ACTOR);
  } else {
    outcome = "ignored";
  }
  await db
    .insert(walletWebhookReceipts)
    .values({
      provider: "binance",
      nonce,
      signedAt: new Date(Number(timestamp)),
      bizType: n.bizType.slice(0, 40),
      bizId: n.bizIdStr,
      bizStatus: n.bizStatus.slice(0, 40),
    })
    .onConflictDoNothing();
  return ok(outcome);
}

/** Receipts older than the freshness window can never match a replay that is not refused as stale. */
export async function pruneWebhookReceipts(db: Db, olderThan: Date): Promise<void> {
  await db.delete(walletWebhookReceipts).where(lt(walletWebhookReceipts.receivedAt, olderThan));
}
