import { z } from "zod";
import { AppError } from "@/server/errors";
import { dec, isDecimalString } from "@/server/money";

/**
 * The parameters of the two MixPay routes (spec, Step 2 §2 and §3). MixPay sends every value as
 * a string; JSON numbers are accepted too (read losslessly as strings by read-params.ts).
 */
const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const COMPACT = /^[0-9a-fA-F]{32}$/;

/** A Mixin id: the usual 36-char form or the 32-char form without hyphens; stored hyphenated, lower case. */
function uuidField(name: string) {
  return z
    .string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .refine((s) => HYPHENATED.test(s) || COMPACT.test(s), `${name} must be a UUID (32–36 characters)`)
    .transform((s) => {
      const h = s.toLowerCase().replace(/-/g, "");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    });
}

function requiredString(name: string) {
  return z.string({ error: (i) => (i.input === undefined ? `${name} is required` : `${name} must be a string`) });
}

const walletField = requiredString("wallet")
  .min(1, "wallet is required")
  .max(20, "wallet must be at most 20 characters");

export const rangeParamsSchema = z.object({
  payee_id: uuidField("payee_id"),
  wallet: walletField,
});
export type RangeParams = z.infer<typeof rangeParamsSchema>;

/** Longest accepted payment window: catches millisecond timestamps sent as seconds. */
export const MAX_EXPIRY_WINDOW_SECONDS = 30 * 24 * 3600;

export function createOrderParamsSchema(now: Date) {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return z.object({
    payee_id: uuidField("payee_id"),
    wallet: walletField,
    asset_id: uuidField("asset_id"),
    amount: requiredString("amount")
      .regex(/^-?\d+(\.\d+)?$/, "amount must be a decimal number such as \"1.0002\"")
      .refine((s) => !/^-?\d+(\.\d+)?$/.test(s) || dec(s).gt(0), "amount must be greater than 0")
      .refine((s) => !/^\d+(\.\d+)?$/.test(s) || isDecimalString(s.replace(/^0+(?=\d)/, "")), "amount must have at most 8 decimal places")
      .transform((s) => dec(s).toFixed()),
    trace_id: uuidField("trace_id"),
    // Passed through untouched (no trimming): MixPay identifies the order by it.
    memo: requiredString("memo").min(1, "memo is required").max(200, "memo must be at most 200 characters"),
    expired_at: requiredString("expired_at")
      .regex(/^\d{1,12}$/, "expired_at must be a unix timestamp in seconds")
      .transform((s) => Number(s))
      .refine((n) => n > nowSeconds, "expired_at must be in the future")
      .refine((n) => n <= nowSeconds + MAX_EXPIRY_WINDOW_SECONDS, "expired_at must be a unix timestamp in seconds, at most 30 days ahead"),
    return_url: requiredString("return_url")
      .min(1, "return_url is required")
      .max(200, "return_url must be at most 200 characters")
      .refine(isHttpUrl, "return_url must be an http(s) URL"),
    opponent_id: uuidField("opponent_id"),
  });
}
export type CreateOrderParams = z.infer<ReturnType<typeof createOrderParamsSchema>>;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "https:" || u.protocol === "http:") && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Parse with a schema; the first problem becomes an 11000 naming its field. */
export function parseParams<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.map(String).join(".") || "body";
  throw AppError.badParameter(field, issue?.message ?? `${field} is invalid`);
}
