import type { Db } from "@/db/client";
import { writeSystemAudit } from "@/server/console/audit";
import { logger } from "@/server/logger";
import { checkThrottle, clearAccount, recordFailure, throttleKeys } from "./sign-in-throttle";
import { authenticate, type SessionUser } from "./users";

export type PasswordSignIn =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: "wrong" | "locked" | "delayed"; retryAfterMs?: number };

/**
 * A console password sign-in with throttling: refused at once (no hash computed) while the
 * account or the address is delayed or locked; otherwise the password is checked, a failure is
 * counted on both keys, and a lock leaves an audit row and a warning in the log.
 */
export async function signInWithPassword(
  db: Db,
  input: { email: string; password: string; address?: string },
  now = new Date(),
): Promise<PasswordSignIn> {
  const keys = throttleKeys(input.email, input.address);
  const verdict = await checkThrottle(db, keys, now);
  if (!verdict.allowed) {
    logger("auth").info(
      { key: verdict.key, reason: verdict.reason, retryAfterMs: verdict.retryAfterMs },
      "sign-in refused by throttle",
    );
    return { ok: false, reason: verdict.reason, retryAfterMs: verdict.retryAfterMs };
  }
  const user = await authenticate(db, input.email, input.password);
  if (user) {
    await clearAccount(db, keys);
    return { ok: true, user };
  }
  for (const k of keys) {
    const r = await recordFailure(db, k, now);
    if (r.locked) {
      logger("auth").warn(
        { key: r.key, failures: r.failures, lockedUntil: r.lockedUntil },
        "sign-in locked after repeated failures",
      );
      await writeSystemAudit(db, {
        action: "sign_in.locked",
        targetType: "sign_in",
        targetId: r.key,
        after: {
          failures: r.failures,
          lockedUntil: r.lockedUntil?.toISOString() ?? null,
          address: input.address ?? null,
        },
      });
    }
  }
  return { ok: false, reason: "wrong" };
}
