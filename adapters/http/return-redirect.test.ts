import { describe, expect, it } from "vitest";
import { SAFE_PRODUCTION } from "@/server/config/production-fixture";
import { parseEnv } from "@/server/env";
import { isAllowedReturnUrl, returnRedirect } from "./return-redirect";

const prod = parseEnv({ ...SAFE_PRODUCTION, PUBLIC_BASE_URL: "https://broker.example.com" });
const dev = parseEnv({ NODE_ENV: "development" });

describe("return_url allow-list (the /r/<order> open redirect)", () => {
  it("allows MixPay's hosts over https by default, and the broker itself", () => {
    expect(isAllowedReturnUrl("https://mixpay.me/pay#/pay/T|abc", prod)).toBe(true);
    expect(isAllowedReturnUrl("https://app.mixpay.me/x", prod)).toBe(true);
    expect(isAllowedReturnUrl("https://broker.example.com/done", prod)).toBe(true);
  });

  it.each([
    "https://evil.example/phish",
    "https://mixpay.me.evil.example/",
    "https://evilmixpay.me/",
    "http://mixpay.me/plain-http",
    "javascript:alert(1)",
    "https://user:pw@mixpay.me/",
    "//evil.example/",
    "http://localhost:3000/",
    "not a url",
  ])("refuses %s in production", (url) => {
    expect(isAllowedReturnUrl(url, prod)).toBe(false);
  });

  it("allows localhost in development only", () => {
    expect(isAllowedReturnUrl("http://localhost:3000/back", dev)).toBe(true);
    expect(isAllowedReturnUrl("http://127.0.0.1:5173/back", dev)).toBe(true);
  });

  it("follows RETURN_URL_ALLOWED_HOSTS", () => {
    const e = parseEnv({
      ...SAFE_PRODUCTION,
      PUBLIC_BASE_URL: "https://broker.example.com",
      RETURN_URL_ALLOWED_HOSTS: "shop.example.org",
    });
    expect(isAllowedReturnUrl("https://shop.example.org/ok", e)).toBe(true);
    expect(isAllowedReturnUrl("https://mixpay.me/", e)).toBe(false);
  });

  it("answers a safe page, not a redirect, for a refused address", async () => {
    const res = returnRedirect("https://evil.example/phish");
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).not.toContain("evil.example");
    expect(returnRedirect("http://localhost:3000/back").status).toBe(302);
  });
});
