import "server-only";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The Mixin bot's credentials: the dashboard's keystore JSON (app_id, session_id,
 * server_public_key, session_private_key) plus the App Wallet spend key. Validated strictly,
 * because the SDK silently sends an empty token on a malformed key instead of failing.
 */
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID");
const hex32 = z.string().regex(/^[0-9a-f]{64}$/i, "must be 64 hex characters (a 32-byte Ed25519 key)");

export const keystoreSchema = z.object({
  app_id: uuid,
  session_id: uuid,
  server_public_key: hex32,
  session_private_key: hex32,
  // Some exports carry the 64-byte expanded key; the SDK uses the first 32 bytes (the seed).
  spend_private_key: z.string().regex(/^([0-9a-f]{64}|[0-9a-f]{128})$/i, "must be 64 (or 128) hex characters"),
});
export type MixinKeystore = z.infer<typeof keystoreSchema>;

export class KeystoreError extends Error {}

/** Parse and validate; the message names bad fields but never echoes a value. */
export function parseKeystore(input: unknown, source = "MIXIN_KEYSTORE"): MixinKeystore {
  const r = keystoreSchema.safeParse(input);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`);
  throw new KeystoreError(`${source} is not a valid Mixin keystore: ${problems.join("; ")}`);
}

/** From MIXIN_KEYSTORE (the JSON itself) or MIXIN_KEYSTORE_FILE (a path to it). */
export function keystoreFromEnv(env: Record<string, string | undefined>): MixinKeystore | undefined {
  const inline = env.MIXIN_KEYSTORE?.trim();
  const file = env.MIXIN_KEYSTORE_FILE?.trim();
  if (!inline && !file) return undefined;
  const source = inline ? "MIXIN_KEYSTORE" : `MIXIN_KEYSTORE_FILE (${file})`;
  let text: string;
  try {
    text = inline ?? readFileSync(file!, "utf8");
  } catch (e) {
    throw new KeystoreError(`${source} cannot be read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeystoreError(`${source} is not JSON`);
  }
  return parseKeystore(json, source);
}

/** The keystore with its secrets hidden, for logs and error messages. */
export function redactKeystore(k: MixinKeystore): Record<string, string> {
  return {
    app_id: k.app_id,
    session_id: k.session_id,
    server_public_key: k.server_public_key,
    session_private_key: "[redacted]",
    spend_private_key: "[redacted]",
  };
}

function ed25519Pair(): { seed: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32).toString("hex");
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
  return { seed, pub };
}

/** A fresh, valid keystore (the Mixin emulator hands one out; tests use it). */
export function generateKeystore(appId: string = randomUUID()): MixinKeystore {
  return {
    app_id: appId,
    session_id: randomUUID(),
    server_public_key: ed25519Pair().pub,
    session_private_key: ed25519Pair().seed,
    spend_private_key: ed25519Pair().seed,
  };
}
