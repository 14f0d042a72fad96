import { inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { signInThrottle } from "@/db/schema";

/**
 * Throttling of console password sign-ins, per account (the email typed, whether it exists or
 * not, so the answer never tells which emails exist) and per client address.
 *
 * After `freeFailures` failures each further attempt must wait a delay that doubles per failure
 * (capped at `maxDelayMs`); at `lockAfter` failures the key is locked for `lockMs` — even the
 * right password is refused until then. Refused attempts are not counted and cost no argon2
 * hash. Failures older than `windowMs` (and not locked) are forgotten.
 *
 * State lives in PostgreSQL so it holds across instances. Why not rate-limiter-flexible: its
 * stores count fixed windows with a block duration; the growing delay and the lock have to be
 * decided atomically from the failure count, which here is one upsert (no read-modify-write race
 * between two instances), and it runs the same on PGlite and postgres.js through Drizzle.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  lockMs: number;
  windowMs: number;
}

/** An account: three free tries, then 1 s, 2 s, 4 s… up to 60 s, locked 15 minutes at 10. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 10,
  lockMs: 15 * 60_000,
  windowMs: 60 * 60_000,
};
/** An address may mistype across several accounts (an office behind one NAT): looser, same shape. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 50,
  lockMs: 15 * 60_000,
  windowMs: 60 * 60_000,
};

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

export function throttleKeys(email: string, address: string | undefined): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ key: `account:${email.trim().toLowerCase()}`, policy: ACCOUNT_POLICY }];
  if (address) keys.push({ key: `address:${address}`, policy: ADDRESS_POLICY });
  return keys;
}

/** The wait owed after `failures` failures (0 while still free). */
export function delayAfter(failures: number, p: ThrottlePolicy): number {
  if (failures <= p.freeFailures) return 0;
  return Math.min(p.baseDelayMs * 2 ** (failures - p.freeFailures - 1), p.maxDelayMs);
}

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: "locked" | "delayed"; key: string; retryAfterMs: number };

/** May a sign-in be tried now on these keys? */
export async function checkThrottle(db: DbOrTx, keys: ThrottleKey[], now: Date): Promise<ThrottleVerdict> {
  if (keys.length === 0) return { allowed: true };
  const rows = await db
    .select()
    .from(signInThrottle)
    .where(
      inArray(
        signInThrottle.key,
        keys.map((k) => k.key),
      ),
    );
  let worst: ThrottleVerdict = { allowed: true };
  for (const row of rows) {
    const policy = keys.find((k) => k.key === row.key)!.policy;
    const t = now.getTime();
    if (row.lockedUntil && row.lockedUntil.getTime() > t) {
      const v: ThrottleVerdict = {
        allowed: false,
        reason: "locked",
        key: row.key,
        retryAfterMs: row.lockedUntil.getTime() - t,
      };
      if (worst.allowed || worst.retryAfterMs < v.retryAfterMs) worst = v;
      continue;
    }
    if (row.lastFailureAt.getTime() < t - policy.windowMs) continue;
    const until = row.lastFailureAt.getTime() + delayAfter(row.failures, policy);
    if (until > t && (worst.allowed || worst.retryAfterMs < until - t))
      worst = { allowed: false, reason: "delayed", key: row.key, retryAfterMs: until - t };
  }
  return worst;
}

export interface FailureRecord {
  key: string;
  failures: number;
  lockedUntil: Date | null;
  /** This failure locked the key (write the audit row). */
  locked: boolean;
}

/** Count one failure on a key: one atomic upsert, whatever other instances do at the same time. */
export async function recordFailure(db: DbOrTx, k: ThrottleKey, now: Date): Promise<FailureRecord> {
  const p = k.policy;
  const at = now.toISOString();
  // A stale, unlocked row starts again at 1; otherwise +1. The lock is set when the new count reaches lockAfter.
  const next = sql`(case when ${signInThrottle.lastFailureAt} < ${at}::timestamptz - ${p.windowMs} * interval '1 millisecond'
      and (${signInThrottle.lockedUntil} is null or ${signInThrottle.lockedUntil} <= ${at}::timestamptz)
    then 1 else ${signInThrottle.failures} + 1 end)`;
  const [row] = await db
    .insert(signInThrottle)
    .values({
      key: k.key,
      failures: 1,
      lastFailureAt: now,
      lockedUntil: p.lockAfter <= 1 ? new Date(now.getTime() + p.lockMs) : null,
    })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: next,
        lastFailureAt: now,
        lockedUntil: sql`case when ${next} >= ${p.lockAfter} then ${at}::timestamptz + ${p.lockMs} * interval '1 millisecond' else ${signInThrottle.lockedUntil} end`,
      },
    })
    .returning();
  return { key: k.key, failures: row!.failures, lockedUntil: row!.lockedUntil, locked: row!.failures >= p.lockAfter };
}

/** A successful sign-in clears the account's count (the address keeps its count: one good account must not launder an address). */
export async function clearAccount(db: DbOrTx, keys: ThrottleKey[]): Promise<void> {
  const accounts = keys.filter((k) => k.key.startsWith("account:")).map((k) => k.key);
  if (accounts.length) await db.delete(signInThrottle).where(inArray(signInThrottle.key, accounts));
}
