import type { SessionUser } from "@/server/auth/users";

/** The payees a console user may read: every payee (operators) or the ones linked to a merchant. */
export type PayeeScope = { kind: "all" } | { kind: "payees"; payeeIds: string[] };

/** What a user may read: operators every payee, merchants their linked payees (none → nothing). */
export function scopeOf(user: Pick<SessionUser, "role"> & { payeeIds: string[] }): PayeeScope {
  return user.role === "operator" ? { kind: "all" } : { kind: "payees", payeeIds: user.payeeIds };
}
