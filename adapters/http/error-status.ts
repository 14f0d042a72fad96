import { AppError, AppErrorCode } from "@/server/errors";

/**
 * The one AppError → HTTP status map, for every transport that answers with an HTTP status: the
 * tRPC error formatter (adapters/trpc/init.ts), the console's CSV routes and the demo checkout.
 * The MixPay routes are the exception the spec makes: business errors are HTTP 200 with the
 * envelope's code (adapters/mixpay-http/envelope.ts); wallet webhooks answer in the wallet's terms.
 */
export const HTTP_STATUS_OF = {
  [AppErrorCode.BAD_PARAMETER]: 400,
  [AppErrorCode.UNAUTHORIZED]: 401,
  [AppErrorCode.NO_PERMISSION]: 403,
  [AppErrorCode.FORBIDDEN]: 403,
  [AppErrorCode.NOT_FOUND]: 404,
  [AppErrorCode.CONFLICT]: 409,
  [AppErrorCode.ILLEGAL_TRANSITION]: 409,
  [AppErrorCode.PAYMENT_UNAVAILABLE]: 412,
  [AppErrorCode.INTERNAL]: 500,
  [AppErrorCode.RETRYABLE]: 503,
} as const satisfies Record<AppErrorCode, number>;

export type AppErrorStatus = (typeof HTTP_STATUS_OF)[AppErrorCode];

/** The status of any thrown value: anything that is not an AppError is an internal error. */
export function httpStatusOf(e: unknown): AppErrorStatus {
  return e instanceof AppError ? HTTP_STATUS_OF[e.code] : 500;
}

/** A plain-text error answer; a 500 says nothing about internals. */
export function plainErrorResponse(e: unknown, internalMessage = "Internal error"): Response {
  const status = httpStatusOf(e);
  const message = status === 500 ? internalMessage : (e as Error).message;
  return new Response(message, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
