import Decimal from "decimal.js";
import { expect, test } from "@playwright/test";

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const DEMO_PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";

/**
 * The demo-checkout flow again with wallet=binance: the app under test serves the `binance`
 * wallet with the Binance Pay adapter pointed at the Binance Pay double (BINANCE_PAY_DOUBLE=1 in
 * playwright.config.ts). The double's hosted checkout takes the payment, posts a signed webhook to
 * the broker and sends the user to the broker's return route, which 302s to MixPay's return_url.
 */
test("wallet=binance: MixPay creates an order, the user pays at Binance Pay, the broker marks it paid and the user lands on return_url", async ({
  page,
  request,
  baseURL,
}) => {
  const range = (await (await request.get(`/mixpay/assets/range?payee_id=${DEMO_PAYEE}&wallet=binance`)).json()) as {
    code: number;
    data: { asset_id: string; fee: string }[];
  };
  expect(range.code).toBe(0);
  const rate = new Decimal(range.data.find((a) => a.asset_id === USDT)!.fee);
  const total = new Decimal("2.5").mul(rate).toDecimalPlaces(8, Decimal.ROUND_UP).plus("2.5");

  const returnUrl = `${baseURL}/?returned=binance`;
  const traceId = crypto.randomUUID();
  const res = await request.post("/mixpay/create_order", {
    data: {
      payee_id: DEMO_PAYEE,
      wallet: "binance",
      asset_id: USDT,
      amount: "2.5",
      trace_id: traceId,
      memo: "e2e-binance",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: returnUrl,
      opponent_id: crypto.randomUUID(),
    },
  });
  const body = (await res.json()) as {
    code: number;
    data: { checkout_url: string; deep_link: string; universal_url: string };
  };
  expect(body.code).toBe(0);
  // Binance Pay's links, not the broker's demo checkout.
  expect(body.data.checkout_url).not.toContain(baseURL!);
  expect(body.data.checkout_url).toMatch(/\/en\/checkout\/[0-9a-f]+$/);
  expect(body.data.deep_link).toMatch(/^bnc:\/\/app\.binance\.com\/payment\/secpay\?tempToken=/);
  expect(body.data.universal_url).toMatch(/\/payment\/secpay\?linkToken=/);

  await page.goto(body.data.checkout_url);
  await expect(page.getByTestId("binance-amount")).toHaveText(`${total.toFixed(8)} USDT`);
  await expect(page.getByTestId("binance-status")).toHaveText("INITIAL");

  const paid = page.waitForResponse((r) => r.url().endsWith("/pay") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Pay with Binance" }).click();
  const payResponse = await paid;
  expect(payResponse.status()).toBe(302);
  const brokerReturn = payResponse.headers()["location"]!;
  expect(brokerReturn).toMatch(new RegExp(`^${baseURL}/r/[0-9a-f-]{36}$`));
  await page.waitForURL(returnUrl);

  // The broker's view of the order: paid through the verified webhook, with its timeline.
  const orderId = brokerReturn.split("/r/")[1]!;
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("merchant@demo.local");
  await page.getByLabel("Password").fill("merchant-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("merchant@demo.local");
  await page.goto(`/console/orders/${orderId}`);
  const fields = page.getByTestId("order-fields");
  await expect(fields).toContainText(traceId);
  await expect(fields).toContainText("binance (binance)");
  const timeline = page.getByTestId("order-timeline");
  await expect(timeline).toContainText("wallet.payment_created");
  await expect(timeline).toContainText("wallet.notified");
  await expect(timeline).toContainText("wallet.paid");
});
