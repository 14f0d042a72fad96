export type PayeeAccess = { allowed: true } | { allowed: false; reason: "blocked" | "not_on_allow_list" };

/**
 * May this payee (merchant) use the broker? The block-list always wins; otherwise the broker is
 * open to all, or only to its allow-list (spec, Step 2 §2 "User permission").
 * No policy row means nobody configured access: open, as MixPay's own default is.
 */
export function judgePayeeAccess(
  mode: "open" | "allow_list" | undefined,
  lists: ReadonlySet<"allow" | "block"> | undefined,
): PayeeAccess {
  if (lists?.has("block")) return { allowed: false, reason: "blocked" };
  if ((mode ?? "open") === "allow_list" && !lists?.has("allow")) return { allowed: false, reason: "not_on_allow_list" };
  return { allowed: true };
}
