import { AppError } from "@/server/errors";
import type { MixinKeystore } from "./keystore";
import { SafeMixinPort } from "./mixin-port";

export interface KeystoreCheckOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Production stops the start on a failed check; development only warns (the emulator may be late). */
  production: boolean;
  warn: (message: string) => void;
}

export class KeystoreCheckError extends Error {}

/**
 * Start-up check of the Mixin bot's credentials against Mixin itself (GET /safe/me through the
 * SDK): the session token is accepted, the profile is the keystore's app_id, and the bot is
 * registered for Safe (has_safe). A keystore that parses can still be revoked, belong to another
 * bot, or never have been registered; the broker would then take orders it cannot settle. In
 * production a failure throws (the start stops with this message); in development it warns.
 */
export async function checkMixinKeystore(
  keystore: MixinKeystore,
  opts: KeystoreCheckOptions,
): Promise<{ ok: boolean; problem?: string }> {
  const port = new SafeMixinPort({ keystore, baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs ?? 10_000, retries: -1 });
  let problem: string | undefined;
  try {
    await port.checkRegistration();
  } catch (e) {
    const code = e instanceof AppError ? e.details?.code : undefined;
    problem =
      code === 401
        ? `Mixin refused the bot's session token (401): the keystore's session_id or session_private_key is wrong or revoked`
        : (e as Error).message;
  }
  if (!problem) return { ok: true };
  const message = `Mixin keystore check failed for bot ${keystore.app_id} at ${opts.baseUrl}: ${problem}`;
  if (opts.production) throw new KeystoreCheckError(message);
  opts.warn(`${message} (development: starting anyway; settlement will fail until this is fixed)`);
  return { ok: false, problem };
}
