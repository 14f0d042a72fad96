import "server-only";
import { createHmac, createVerify, randomBytes, type KeyObject } from "node:crypto";

/**
 * Binance Pay's signature rules (research §1, §4). Requests to Binance are signed with
 * HMAC-SHA512 of the API secret; webhooks from Binance are signed with Binance's RSA key
 * (SHA256withRSA, base64). Both sign the same payload: `timestamp\nnonce\nbody\n`, where body is
 * the exact bytes sent (never a re-serialisation).
 */
export function signaturePayload(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** BinancePay-Signature of a request: upper-case hex HMAC-SHA512(secret, payload). */
export function signRequest(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac("sha512", secret)
    .update(signaturePayload(timestamp, nonce, body))
    .digest("hex")
    .toUpperCase();
}

/** 32 random letters (the doc's charset; hex would also be accepted). */
export function newNonce(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const bytes = randomBytes(32);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Does `signatureB64` sign `timestamp\nnonce\nrawBody\n` under Binance's public key? The raw
 * body must be the request's bytes as received, before any JSON parsing.
 */
export function verifyWebhookSignature(
  publicKey: string | KeyObject,
  timestamp: string,
  nonce: string,
  rawBody: string,
  signatureB64: string,
): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  try {
    return createVerify("RSA-SHA256")
      .update(signaturePayload(timestamp, nonce, rawBody))
      .verify(publicKey, signatureB64, "base64");
  } catch {
    return false;
  }
}
