import { expect } from "vitest";
import { DEMO_ASSETS } from "@/db/seed";
import type { MixPayEnvelope } from "@/adapters/mixpay-http/envelope";

/** Build requests the way MixPay sends them: every value a string, JSON or form-encoded. */
export const BASE = "http://broker.test";
export const PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";
export const MIXPAY_BOT = "5b9d8d50-1e08-4b1f-9c63-bd4b1b3d0d37";

export function rangeRequest(params: Record<string, string>, headers: Record<string, string> = {}): Request {
  const url = new URL("/mixpay/assets/range", BASE);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return new Request(url, { headers });
}

export function createBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    payee_id: PAYEE,
    wallet: "demo",
    asset_id: DEMO_ASSETS.USDT,
    amount: "1.0002",
    trace_id: crypto.randomUUID(),
    memo: "eyJ0eXBlIjoicGF5bWVudCJ9",
    expired_at: String(Math.floor(Date.now() / 1000) + 900),
    return_url: "https://mixpay.me/pay/return?x=1",
    opponent_id: MIXPAY_BOT,
    ...overrides,
  };
}

export function createRequest(
  body: Record<string, unknown> | string,
  as: "json" | "form" = "json",
  headers: Record<string, string> = {},
): Request {
  const url = new URL("/mixpay/create_order", BASE);
  if (typeof body === "string")
    return new Request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  if (as === "form") {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) if (v !== undefined) form.set(k, String(v));
    return new Request(url, {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }
  return new Request(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
}

export async function envelope<T = unknown>(res: Response): Promise<MixPayEnvelope<T> & { status: number }> {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as MixPayEnvelope<T>;
  expect(Object.keys(body).sort()).toEqual(["code", "data", "message", "success"]);
  expect(body.success).toBe(body.code === 0);
  return { ...body, status: res.status };
}
