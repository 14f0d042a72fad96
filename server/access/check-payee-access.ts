import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { payeeAccessEntries, payeeAccessPolicy } from "@/db/schema";

export type PayeeAccess = { allowed: true } | { allowed: false; reason: "blocked" | "not_on_allow_list" };

/**
 * May this payee (merchant) use the broker? The block-list always wins; otherwise the broker is
 * open to all, or only to its allow-list (spec, Step 2 §2 "User permission").
 */
export async function checkPayeeAccess(db: DbOrTx, payeeId: string): Promise<PayeeAccess> {
  const [policy] = await db.select({ mode: payeeAccessPolicy.mode }).from(payeeAccessPolicy).where(eq(payeeAccessPolicy.id, "default"));
  const entries = await db.select({ list: payeeAccessEntries.list }).from(payeeAccessEntries).where(eq(payeeAccessEntries.payeeId, payeeId));
  if (entries.some((e) => e.list === "block")) return { allowed: false, reason: "blocked" };
  // No policy row means nobody configured access: open, as MixPay's own default is.
  if ((policy?.mode ?? "open") === "allow_list" && !entries.some((e) => e.list === "allow")) {
    return { allowed: false, reason: "not_on_allow_list" };
  }
  return { allowed: true };
}
