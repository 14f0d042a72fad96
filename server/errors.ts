/**
 * The broker's one error type. Domain code throws AppError; the MixPay routes map it to the
 * spec's envelope codes (adapters/mixpay-http/envelope.ts); every other transport answers the
 * HTTP status of adapters/http/error-status.ts (tRPC too).
 */
export enum AppErrorCode {
  /** A request parameter is missing or invalid (MixPay 11000). */
  BAD_PARAMETER = "BAD_PARAMETER",
  /** The payee may not use this broker (MixPay 11001). */
  NO_PERMISSION = "NO_PERMISSION",
  /** The broker cannot take this payment now: balance, wallet or internal failure (MixPay 11002). */
  PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE",
  NOT_FOUND = "NOT_FOUND",
  CONFLICT = "CONFLICT",
  /** A state change that the order's state machine does not allow. */
  ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION",
  UNAUTHORIZED = "UNAUTHORIZED",
  FORBIDDEN = "FORBIDDEN",
  /** A remote service failed in a way worth retrying. */
  RETRYABLE = "RETRYABLE",
  INTERNAL = "INTERNAL",
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** The request field at fault, for BAD_PARAMETER. */
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(
    code: AppErrorCode,
    message: string,
    opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }

  static badParameter(field: string, message: string): AppError {
    return new AppError(AppErrorCode.BAD_PARAMETER, message, { field });
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
