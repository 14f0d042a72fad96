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

/** Longest payment window the setting may allow: catches millisecond timestamps sent as seconds. */
export const MAX_EXPIRY_WINDOW_SECONDS = 30 * 24 * 3600;
/** Default cap on the payment window (MIXPAY_MAX_EXPIRY_SECONDS): MixPay's own orders last minutes. */
export const DEFAULT_MAX_EXPIRY_SECONDS = 2 * 3600;

/**
 * A Safe transaction's extra holds 256 bytes (Mixin's ExtraSizeGeneralLimit; research/mixin-sdk.md):
 * the memo is sent verbatim as UTF-8, so a longer one could never settle.
 */
export const MAX_MEMO_BYTES = 256;

export interface CreateOrderPolicy {
  /** Longest accepted expired_at − now, in seconds. */
  maxExpirySeconds?: number;
  /** When non-empty, the only opponent_id values accepted (MixPay's bot ids). */
  botIds?: readonly string[];
}

/**
 * Why an over-long expired_at is refused (11000 naming expired_at) rather than clamped: a clamp
 * would make the broker's deadline silently earlier than the one MixPay believes, so an end user
 * paying in MixPay's window would get paid_late and a refund instead of a payment. A refusal is
 * visible to MixPay at once, and MixPay's real orders are short, so they never meet the cap.
 * The cap stops reservation squatting: a created order holds the bot's balance until expired_at.
 */
export function createOrderParamsSchema(now: Date, policy: CreateOrderPolicy = {}) {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // Building a zod object costs more than parsing with it (zod compiles each new object schema
  // on first use): the schema depends only on the second and the policy, so it is made once per
  // second and policy, not once per request. Same schema, same answers.
  const key = `${nowSeconds}|${policy.maxExpirySeconds ?? ""}|${(policy.botIds ?? []).join(",")}`;
  if (lastSchema?.key !== key) lastSchema = { key, schema: buildCreateOrderSchema(nowSeconds, policy) };
  return lastSchema.schema;
}
let lastSchema: { key: string; schema: ReturnType<typeof buildCreateOrderSchema> } | undefined;

function buildCreateOrderSchema(nowSeconds: number, policy: CreateOrderPolicy) {
  const maxExpiry = Math.min(policy.maxExpirySeconds ?? DEFAULT_MAX_EXPIRY_SECONDS, MAX_EXPIRY_WINDOW_SECONDS);
  const botIds = new Set((policy.botIds ?? []).map((id) => id.toLowerCase()));
  return z.object({
    payee_id: uuidField("payee_id"),
    wallet: walletField,
    asset_id: uuidField("asset_id"),
    amount: requiredString("amount")
      .regex(/^-?\d+(\.\d+)?$/, 'amount must be a decimal number such as "1.0002"')
      .refine((s) => !/^-?\d+(\.\d+)?$/.test(s) || dec(s).gt(0), "amount must be greater than 0")
      .refine(
        (s) => !/^\d+(\.\d+)?$/.test(s) || isDecimalString(s.replace(/^0+(?=\d)/, "")),
        "amount must have at most 8 decimal places",
      )
      .transform((s) => dec(s).toFixed()),
    trace_id: uuidField("trace_id"),
    // Passed through untouched (no trimming): MixPay identifies the order by it.
    memo: requiredString("memo")
      .min(1, "memo is required")
      .max(200, "memo must be at most 200 characters")
      .refine(
        (m) => Buffer.byteLength(m, "utf8") <= MAX_MEMO_BYTES,
        `memo must be at most ${MAX_MEMO_BYTES} bytes of UTF-8 (a Mixin transaction's extra)`,
      ),
    expired_at: requiredString("expired_at")
      .regex(/^\d{1,12}$/, "expired_at must be a unix timestamp in seconds")
      .transform((s) => Number(s))
      .refine((n) => n > nowSeconds, "expired_at must be in the future")
      .refine(
        (n) => n <= nowSeconds + maxExpiry,
        `expired_at must be a unix timestamp in seconds, at most ${maxExpiry} seconds ahead`,
      ),
    return_url: requiredString("return_url")
      .min(1, "return_url is required")
      .max(200, "return_url must be at most 200 characters")
      .refine(isHttpUrl, "return_url must be an http(s) URL"),
    opponent_id: uuidField("opponent_id").refine(
      (id) => botIds.size === 0 || botIds.has(id),
      "opponent_id is not MixPay's bot (MIXPAY_BOT_IDS)",
    ),
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

/**
 * C0 and C1 control characters (NUL, tab, newline, ESC, DEL, U+0080–U+009F). No MixPay field
 * carries one; a NUL cannot be stored in PostgreSQL text, and in a memo or URL they only serve
 * to confuse logs, the console and the RF-memo parser. None is allowed.
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** The first field the schema reads (in its order) whose string value holds a control character; fields the broker ignores are not judged. */
function controlCharacterField(schema: z.ZodType, input: Record<string, unknown>): string | undefined {
  const fields = schema instanceof z.ZodObject ? Object.keys(schema.shape) : Object.keys(input);
  return fields.find((k) => typeof input[k] === "string" && CONTROL_CHARACTER.test(input[k]));
}

/** Parse with a schema; the first problem becomes an 11000 naming its field. */
export function parseParams<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.infer<S> {
  const dirty = controlCharacterField(schema, input);
  if (dirty) throw AppError.badParameter(dirty, `${dirty} must not contain control characters`);
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.map(String).join(".") || "body";
  throw AppError.badParameter(field, issue?.message ?? `${field} is invalid`);
}
