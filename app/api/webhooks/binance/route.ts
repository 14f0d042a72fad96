import { getDb } from "@/db";
import { dispatchOutbox } from "@/inngest/dispatch";
import { BodyTooLargeError, readCappedBytes } from "@/adapters/http/read-capped-body";
import { accessLog, requestLogger } from "@/adapters/http/request-log";
import { metrics } from "@/server/metrics/registry";
import { handleBinanceWebhook } from "@/server/wallets/binance/webhook";
import { binancePay } from "@/server/wallets/registry";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Binance's notifications are a few hundred bytes; the cap counts the bytes actually read. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Binance Pay notifications. The raw body is read as text first: the signature covers these
 * exact bytes, and parsing happens only after it verifies. A failure answers FAIL (non-200),
 * which makes Binance retry (up to 6 times); the reconciler catches whatever is still lost.
 */
export async function POST(req: Request): Promise<Response> {
  const started = performance.now();
  const res = await answer(req);
  metrics().webhookRequests.inc({ wallet: "binance", status: String(res.status) });
  accessLog(req, res, started, { wallet: "binance" });
  return res;
}

async function answer(req: Request): Promise<Response> {
  const pay = binancePay();
  if (!pay)
    return Response.json({ returnCode: "FAIL", returnMessage: "Binance Pay is not configured" }, { status: 404 });
  let rawBody: string;
  try {
    // Read under the cap (never the whole stream first), then verify the signature over these exact bytes.
    rawBody = new TextDecoder().decode(await readCappedBytes(req, MAX_BODY_BYTES));
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      return Response.json(
        { returnCode: "FAIL", returnMessage: "body too large" },
        { status: 413, headers: { connection: "close" } },
      );
    throw e;
  }
  try {
    const answer = await handleBinanceWebhook(await getDb(), { headers: req.headers, rawBody }, pay);
    // A payment queued order/paid (or a refund) in the outbox: hand it to Inngest now, not at the
    // next relay-outbox minute (which stays the safety net if this send fails).
    if (answer.status === 200) void dispatchOutbox();
    return Response.json(answer.body, { status: answer.status });
  } catch (e) {
    requestLogger(req, "binance-webhook").error({ err: e }, "Binance Pay notification failed; Binance will retry");
    return Response.json({ returnCode: "FAIL", returnMessage: "temporary failure" }, { status: 500 });
  }
}
