import { getDb } from "@/db";
import { dispatchOutbox } from "@/inngest/dispatch";
import { logger } from "@/server/logger";
import { handleBinanceWebhook } from "@/server/wallets/binance/webhook";
import { binancePay } from "@/server/wallets/registry";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_CHARS = 64 * 1024;

/**
 * Binance Pay notifications. The raw body is read as text first: the signature covers these
 * exact bytes, and parsing happens only after it verifies. A failure answers FAIL (non-200),
 * which makes Binance retry (up to 6 times); the reconciler catches whatever is still lost.
 */
export async function POST(req: Request): Promise<Response> {
  const pay = binancePay();
  if (!pay) return Response.json({ returnCode: "FAIL", returnMessage: "Binance Pay is not configured" }, { status: 404 });
  const rawBody = await req.text();
  // Binance's notifications are a few hundred bytes; refuse anything absurd before verifying it.
  if (rawBody.length > MAX_BODY_CHARS) return Response.json({ returnCode: "FAIL", returnMessage: "body too large" }, { status: 413 });
  try {
    const answer = await handleBinanceWebhook(await getDb(), { headers: req.headers, rawBody }, pay);
    // A payment queued order/paid (or a refund) in the outbox: hand it to Inngest now, not at the
    // next relay-outbox minute (which stays the safety net if this send fails).
    if (answer.status === 200) void dispatchOutbox();
    return Response.json(answer.body, { status: answer.status });
  } catch (e) {
    logger("binance-webhook").error({ err: e }, "Binance Pay notification failed; Binance will retry");
    return Response.json({ returnCode: "FAIL", returnMessage: "temporary failure" }, { status: 500 });
  }
}
