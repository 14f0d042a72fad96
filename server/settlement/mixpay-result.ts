import { z } from "zod";
import type { MixPayPaymentStatus, MixPayResultApi } from "./ports";

const answer = z.object({
  code: z.number(),
  success: z.boolean(),
  data: z.object({ status: z.string() }).partial().nullable().optional(),
});

const KNOWN: readonly MixPayPaymentStatus[] = ["success", "pending", "unpaid", "failed", "auditing"];

/**
 * MixPay's `GET /v1/payments_result?traceId=` (public, no auth). The base URL is configurable
 * so tests and the embedded default point it at the emulated MixPay.
 */
export function createMixPayResultApi(baseUrl: string, timeoutMs = 5000): MixPayResultApi {
  return {
    async paymentStatus(traceId) {
      const url = new URL("/v1/payments_result", baseUrl);
      url.searchParams.set("traceId", traceId);
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`MixPay payments_result answered HTTP ${res.status}`);
      const body = answer.parse(await res.json());
      const status = body.data?.status;
      return status && (KNOWN as readonly string[]).includes(status) ? (status as MixPayPaymentStatus) : "unknown";
    },
  };
}
