/**
 * Safe snapshot memos are hex of the transaction's extra bytes. MixPay's refund memo is
 * base64("RF|trace_id|code"); accept it raw or base64-encoded inside the hex.
 */
export function memoTextFromHex(memoHex: string): string | null {
  if (!isHex(memoHex)) return null;
  return textOrNull(Buffer.from(memoHex, "hex"));
}

export const isHex = (s: string) => /^([0-9a-f]{2})*$/i.test(s);

/**
 * Any Mixin user can send the bot any memo bytes. They are kept as hex; they become text only
 * when they are valid UTF-8 without NUL (PostgreSQL text refuses 0x00, and a lossy decode would
 * show people something that is not what was sent).
 */
export function textOrNull(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return text.includes("\u0000") ? null : text;
}

/** A memo as hex whatever Mixin handed over: hex stays hex (lower-cased), anything else is hex of its UTF-8. */
export function memoHexOf(memo: string): string {
  return isHex(memo) ? memo.toLowerCase() : Buffer.from(memo, "utf8").toString("hex");
}

const REFUND = /^RF\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\|?([A-Za-z0-9]*)$/i;

export function parseMixPayRefundMemo(text: string): { traceId: string; code?: string } | null {
  const candidates = [text.trim()];
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim()))
    candidates.push(Buffer.from(text.trim(), "base64").toString("utf8"));
  for (const c of candidates) {
    const m = REFUND.exec(c);
    if (m) return { traceId: m[1]!.toLowerCase(), code: m[2] || undefined };
  }
  return null;
}

export function refundMemoBase64(traceId: string, code: string): string {
  return Buffer.from(`RF|${traceId}|${code}`, "utf8").toString("base64");
}
