import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { users } from "./schema";
import { createUser } from "@/server/auth/users";

/** The demo console users of the embedded default (README states their credentials). */
export const DEMO_USERS = {
  operator: { email: "operator@demo.local", password: "operator-demo-password" },
  merchant: {
    email: "merchant@demo.local",
    password: "merchant-demo-password",
    payeeId: "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11",
  },
} as const;

export async function seedDemoUsers(db: Db): Promise<void> {
  const [op] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.operator.email));
  if (!op)
    await alreadyThereIsFine(createUser(db, { ...DEMO_USERS.operator, role: "operator", name: "Demo operator" }));
  const [m] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_USERS.merchant.email));
  if (!m)
    await alreadyThereIsFine(
      createUser(db, {
        email: DEMO_USERS.merchant.email,
        password: DEMO_USERS.merchant.password,
        role: "merchant",
        name: "Demo merchant",
        payeeIds: [DEMO_USERS.merchant.payeeId],
      }),
    );
}

/** Several instances starting together on one database seed at once: the one that loses the race on the unique email is done too. */
async function alreadyThereIsFine(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    let cur: unknown = e;
    for (let i = 0; i < 4 && cur; i++) {
      if (typeof cur === "object" && (cur as { code?: unknown }).code === "23505") return;
      cur = (cur as { cause?: unknown }).cause;
    }
    throw e;
  }
}
