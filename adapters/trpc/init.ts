import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Db } from "@/db/client";
import type { SessionUser } from "@/server/auth/users";
import { scopeOf } from "@/server/console/payee-scope";
import { httpStatusOf, type AppErrorStatus } from "@/adapters/http/error-status";
import { AppError } from "@/server/errors";

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

/** tRPC's code for each status of the one AppError → HTTP map (tRPC answers that same status). */
const TRPC_CODE: Record<AppErrorStatus, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "PRECONDITION_FAILED",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

const t = initTRPC.context<Context>().create({ transformer: superjson });

/** AppError → TRPCError through the one status map; anything else stays an internal error. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const e = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[httpStatusOf(e)], message: e.message, cause: e });
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
export const merchantProcedure = protectedProcedure.use(({ ctx, next }) =>
  next({ ctx: { ...ctx, scope: scopeOf(ctx.user) } }),
);

export const operatorProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "operator") throw new TRPCError({ code: "FORBIDDEN", message: "operators only" });
  return next({ ctx });
});
