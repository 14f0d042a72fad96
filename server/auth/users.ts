import { and, eq, isNull } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { userPayees, users } from "@/db/schema";
import { hashPassword, verifyPassword } from "./passwords";

export type Role = "operator" | "merchant";

export interface SessionUser {
  id: string;
  email: string | null;
  name: string;
  role: Role;
}

let dummyHash: Promise<string> | undefined;
/** A hash of a random password with the same argon2 parameters as real ones (made once per process). */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}

/**
 * Check an email + password; disabled users cannot sign in. An unknown email (or a disabled or
 * password-less user) still verifies the password against a dummy hash, so the answer takes as
 * long as for a real account and timing does not tell which emails exist.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const [u] = await db
    .select()
    .from(users)
    .where(and(eq(users.email, email.trim().toLowerCase()), isNull(users.disabledAt)));
  if (!u?.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password);
    return null;
  }
  if (!(await verifyPassword(u.passwordHash, password))) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

/** The user behind a session, re-read on every request so a disabled user loses access at once. */
export async function loadSessionUser(db: Db, userId: string): Promise<(SessionUser & { payeeIds: string[] }) | null> {
  const [u] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  if (!u) return null;
  const links = await db.select({ payeeId: userPayees.payeeId }).from(userPayees).where(eq(userPayees.userId, u.id));
  return { id: u.id, email: u.email, name: u.name, role: u.role, payeeIds: links.map((l) => l.payeeId) };
}

export async function createUser(
  db: DbOrTx,
  input: { email: string; password: string; role: Role; name?: string; payeeIds?: string[] },
): Promise<string> {
  const [u] = await db
    .insert(users)
    .values({
      email: input.email.trim().toLowerCase(),
      name: input.name ?? "",
      role: input.role,
      passwordHash: await hashPassword(input.password),
    })
    .returning({ id: users.id });
  if (input.payeeIds?.length)
    await db.insert(userPayees).values(input.payeeIds.map((payeeId) => ({ userId: u!.id, payeeId })));
  return u!.id;
}

/**
 * Sign in with Mixin: the user with this Mixin user id, created on first sign-in as a merchant
 * whose payee id is that Mixin user id (a merchant's Mixin id is their MixPay payee_id, so their
 * payments show with no set-up). Disabled users get null. Concurrent first sign-ins create one
 * user (the unique index on mixin_user_id decides).
 */
export async function signInWithMixin(
  db: Db,
  profile: { mixinUserId: string; name: string },
): Promise<SessionUser | null> {
  const mixinUserId = profile.mixinUserId.toLowerCase();
  const find = async () => (await db.select().from(users).where(eq(users.mixinUserId, mixinUserId)))[0];
  let u = await find();
  if (!u) {
    await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({ email: null, name: profile.name.slice(0, 100), role: "merchant", mixinUserId })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (created)
        await tx.insert(userPayees).values({ userId: created.id, payeeId: mixinUserId }).onConflictDoNothing();
    });
    u = await find();
  }
  if (!u || u.disabledAt) return null;
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
