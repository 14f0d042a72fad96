/**
 * Mixin's check of a bot's call: an EdDSA JWT signed with the session key, whose uid and sid are
 * the bot's, not expired, and whose sig is sha256(METHOD + uri-with-query + body).
 */
import { createHash, createPrivateKey, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import type { MixinKeystore } from "@/server/mixin/keystore";

/** Mixin's answer to a request without a valid session token. */
export const UNAUTHORIZED = { code: 401, description: "Unauthorized, maybe invalid token." };

/** The session's Ed25519 public key from its 32-byte seed (what Mixin registered for the session). */
export function sessionPublicKey(seedHex: string): KeyObject {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]);
  return createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
}

export function checkSessionToken(
  authorization: string | undefined,
  method: string,
  uri: string,
  body: string,
  keystore: MixinKeystore,
  publicKey: KeyObject = sessionPublicKey(keystore.session_private_key),
): boolean {
  const token = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!token) return false;
  const [, header, payload, signature] = token;
  try {
    const h = JSON.parse(Buffer.from(header!, "base64url").toString("utf8")) as { alg?: string };
    if (h.alg !== "EdDSA") return false;
    if (!verifySignature(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature!, "base64url")))
      return false;
    const p = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as {
      uid?: string;
      sid?: string;
      exp?: number;
      sig?: string;
    };
    if (p.uid !== keystore.app_id || p.sid !== keystore.session_id) return false;
    if (typeof p.exp !== "number" || p.exp * 1000 < Date.now()) return false;
    return (
      p.sig ===
      createHash("sha256")
        .update(method.toUpperCase() + uri + body)
        .digest("hex")
    );
  } catch {
    return false;
  }
}
