import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Db } from "@/db/client";
import type { SessionUser } from "@/server/auth/users";
import { scopeOf } from "@/server/console/payee-scope";
import { AppError, AppErrorCode } from "@/server/errors";

export interface Context {
  db: Db;
  /** The signed-in user, re-read from the store on every request; null when anonymous. */
  user: (SessionUser & { payeeIds: string[] }) | null;
  /**
   * Sends the outbox events a mutation just committed (e.g. a settlement retry) to Inngest at
   * once; best effort, the relay-outbox function catches up otherwise. Absent in unit tests.
   */
  dispatchOutbox?: () => Promise<void>;
}

const TRPC_CODE: Record<AppErrorCode, TRPCError["code"]> = {
  [AppErrorCode.BAD_PARAMETER]: "BAD_REQUEST",
  [AppErrorCode.NO_PERMISSION]: "FORBIDDEN",
  [AppErrorCode.PAYMENT_UNAVAILABLE]: "PRECONDITION_FAILED",
  [AppErrorCode.NOT_FOUND]: "NOT_FOUND",
  [AppErrorCode.CONFLICT]: "CONFLICT",
  [AppErrorCode.ILLEGAL_TRANSITION]: "CONFLICT",
  [AppErrorCode.UNAUTHORIZED]: "UNAUTHORIZED",
  [AppErrorCode.FORBIDDEN]: "FORBIDDEN",
  [AppErrorCode.RETRYABLE]: "SERVICE_UNAVAILABLE",
  [AppErrorCode.INTERNAL]: "INTERNAL_SERVER_ERROR",
};

const t = initTRPC.context<Context>().create({ transformer: superjson });

/** The one mapping from AppError to tRPC codes; anything else is an internal error. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const e = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[e.code], message: e.message, cause: e });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/**
 * Merchants (and operators, who see every payee). For a merchant the payee ids are the ones
 * linked to the user; procedures filter by them server-side, so no input can widen them.
 */
export const merchantProcedure = protectedProcedure.use(({ ctx, next }) => next({ ctx: { ...ctx, scope: scopeOf(ctx.user) } }));

export const operatorProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "operator") throw new TRPCError({ code: "FORBIDDEN", message: "operators only" });
  return next({ ctx });
});
