import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { createCallerFactory, publicProcedure, router } from "@/adapters/trpc/init";
import { AppError, AppErrorCode } from "@/server/errors";
import { HTTP_STATUS_OF, httpStatusOf, plainErrorResponse } from "./error-status";

const codes = Object.values(AppErrorCode);

describe("the one AppError → HTTP status map", () => {
  it("tRPC answers each AppError with the map's status", async () => {
    const caller = createCallerFactory(
      router({
        fail: publicProcedure
          .input((v) => v as AppErrorCode)
          .query(({ input }) => {
            throw new AppError(input, "x");
          }),
      }),
    )({ db: undefined as never, user: null });
    for (const code of codes) {
      const e = await caller.fail(code).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(TRPCError);
      expect([code, getHTTPStatusCodeFromError(e as TRPCError)]).toEqual([code, HTTP_STATUS_OF[code]]);
    }
  });

  it("plain-text answers carry the status and the message, except a 500 which says nothing about internals", async () => {
    const notFound = plainErrorResponse(new AppError(AppErrorCode.NOT_FOUND, "no such demo payment"));
    expect([notFound.status, await notFound.text()]).toEqual([404, "no such demo payment"]);
    const internal = plainErrorResponse(new Error("db password is hunter2"), "Try again.");
    expect([internal.status, await internal.text()]).toEqual([500, "Try again."]);
    expect(httpStatusOf("not an error")).toBe(500);
  });
});
