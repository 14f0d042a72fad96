/**
 * Safe snapshot memos are hex of the transaction's extra bytes. MixPay's refund memo is
 * base64("RF|trace_id|code"); accept it raw or base64-encoded inside the hex.
 */
export function memoTextFromHex(memoHex: string): string {
  if (!/^([0-9a-f]{2})*$/i.test(memoHex)) return memoHex;
  return Buffer.from(memoHex, "hex").toString("utf8");
}

const REFUND = /^RF\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\|?([A-Za-z0-9]*)$/i;

export function parseMixPayRefundMemo(text: string): { traceId: string; code?: string } | null {
  const candidates = [text.trim()];
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) candidates.push(Buffer.from(text.trim(), "base64").toString("utf8"));
  for (const c of candidates) {
    const m = REFUND.exec(c);
    if (m) return { traceId: m[1]!.toLowerCase(), code: m[2] || undefined };
  }
  return null;
}

export function refundMemoBase64(traceId: string, code: string): string {
  return Buffer.from(`RF|${traceId}|${code}`, "utf8").toString("base64");
}
