import { AppError, AppErrorCode } from "@/server/errors";

/**
 * The answer format MixPay expects from every broker route (spec, Step 2 §1 and §4):
 * `{ code, success, message, data }`, with 0 for success and 11000/11001/11002 for errors.
 */
export const MIXPAY_CODES = {
  OK: 0,
  PARAMETER_ERROR: 11000,
  NO_PERMISSION: 11001,
  PAYMENT_UNAVAILABLE: 11002,
} as const;
export type MixPayCode = (typeof MIXPAY_CODES)[keyof typeof MIXPAY_CODES];

export interface MixPayEnvelope<T> {
  code: MixPayCode;
  success: boolean;
  message: string;
  data: T;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** The envelope code of each answer built here: the metrics and the access line read it without parsing the body again. */
const codes = new WeakMap<Response, MixPayCode>();
export function envelopeCodeOf(res: Response): MixPayCode | undefined {
  return codes.get(res);
}
function remember(res: Response, code: MixPayCode): Response {
  codes.set(res, code);
  return res;
}

export function okEnvelope<T>(data: T): Response {
  const body: MixPayEnvelope<T> = { code: MIXPAY_CODES.OK, success: true, message: "", data };
  return remember(new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS }), MIXPAY_CODES.OK);
}

/**
 * An error answer. Business errors (the spec's three codes) are HTTP 200 like the spec's
 * examples, so a client that only reads the body still sees them; transport and routing errors
 * (wrong path or method, body too large, refused transport) carry their HTTP status too.
 */
export function errorEnvelope(
  code: Exclude<MixPayCode, 0>,
  message: string,
  httpStatus = 200,
  extraHeaders: Record<string, string> = {},
): Response {
  const body: MixPayEnvelope<never[]> = { code, success: false, message, data: [] };
  return remember(
    new Response(JSON.stringify(body), { status: httpStatus, headers: { ...JSON_HEADERS, ...extraHeaders } }),
    code,
  );
}

export const MESSAGES = {
  11000: "Parameter error.",
  11001: "No permission",
  11002: "This payment is unavailable.",
} as const;

/** The one mapping from the broker's errors to MixPay's codes. Anything unexpected is 11002. */
export function envelopeForError(e: unknown): Response {
  if (e instanceof AppError) {
    switch (e.code) {
      case AppErrorCode.BAD_PARAMETER:
        return errorEnvelope(MIXPAY_CODES.PARAMETER_ERROR, `Parameter error: ${e.message}`);
      case AppErrorCode.NO_PERMISSION:
        return errorEnvelope(MIXPAY_CODES.NO_PERMISSION, MESSAGES[11001]);
      case AppErrorCode.PAYMENT_UNAVAILABLE:
        return errorEnvelope(MIXPAY_CODES.PAYMENT_UNAVAILABLE, MESSAGES[11002]);
      default:
        break;
    }
  }
  // Internal failures say nothing about internals: "an internal error in the system" is 11002.
  return errorEnvelope(MIXPAY_CODES.PAYMENT_UNAVAILABLE, MESSAGES[11002]);
}
