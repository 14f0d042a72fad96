import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { userPayees, users } from "@/db/schema";
import { createUser, type Role, type SessionUser } from "@/server/auth/users";
import { AppError, AppErrorCode } from "@/server/errors";
import { writeAudit } from "./audit";

type Actor = Pick<SessionUser, "id" | "email">;

export async function listUsers(db: Db) {
  const rows = await db.select().from(users).orderBy(asc(users.createdAt));
  const links = await db.select().from(userPayees);
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    mixinUserId: u.mixinUserId,
    disabled: u.disabledAt !== null,
    payeeIds: links.filter((l) => l.userId === u.id).map((l) => l.payeeId),
    createdAt: u.createdAt,
  }));
}

/** Invite a user: a generated first password is returned once (never stored in clear). */
export async function inviteUser(
  db: Db,
  actor: Actor,
  input: { email: string; role: Role; name?: string; payeeIds?: string[] },
) {
  const password = randomBytes(12).toString("base64url");
  try {
    const id = await db.transaction(async (tx) => {
      const created = await createUser(tx, { ...input, password });
      await writeAudit(tx, actor, {
        action: "user.invite",
        targetType: "user",
        targetId: created,
        after: { email: input.email, role: input.role, payeeIds: input.payeeIds ?? [] },
      });
      return created;
    });
    return { id, password };
  } catch (e) {
    if (String((e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code) === "23505") {
      throw new AppError(AppErrorCode.CONFLICT, `a user with email ${input.email} exists already`);
    }
    throw e;
  }
}

export async function setPayeeLink(db: Db, actor: Actor, input: { userId: string; payeeId: string; linked: boolean }) {
  return db.transaction(async (tx) => {
    const [u] = await tx.select().from(users).where(eq(users.id, input.userId));
    if (!u) throw new AppError(AppErrorCode.NOT_FOUND, "no such user");
    if (input.linked)
      await tx.insert(userPayees).values({ userId: input.userId, payeeId: input.payeeId }).onConflictDoNothing();
    else
      await tx
        .delete(userPayees)
        .where(and(eq(userPayees.userId, input.userId), eq(userPayees.payeeId, input.payeeId)));
    await writeAudit(tx, actor, {
      action: input.linked ? "user.payee.link" : "user.payee.unlink",
      targetType: "user",
      targetId: input.userId,
      after: { payeeId: input.payeeId },
    });
  });
}

export async function setUserDisabled(db: Db, actor: Actor, input: { userId: string; disabled: boolean }) {
  if (input.userId === actor.id && input.disabled)
    throw new AppError(AppErrorCode.CONFLICT, "you cannot disable yourself");
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, input.userId));
    if (!before) throw new AppError(AppErrorCode.NOT_FOUND, "no such user");
    await tx
      .update(users)
      .set({ disabledAt: input.disabled ? new Date() : null, updatedAt: new Date() })
      .where(eq(users.id, input.userId));
    await writeAudit(tx, actor, {
      action: input.disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: input.userId,
      before,
      after: { disabled: input.disabled },
    });
  });
}
