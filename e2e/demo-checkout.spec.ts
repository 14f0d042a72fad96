import Decimal from "decimal.js";
import { expect, test, type APIRequestContext } from "@playwright/test";

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";

async function createOrder(request: APIRequestContext, returnUrl: string, amount = "2.5") {
  const res = await request.post("/mixpay/create_order", {
    // MixPay sends every value as a string.
    data: {
      payee_id: crypto.randomUUID(),
      wallet: "demo",
      asset_id: USDT,
      amount,
      trace_id: crypto.randomUUID(),
      memo: "e2e-memo",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: returnUrl,
      opponent_id: crypto.randomUUID(),
    },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as {
    code: number;
    data: { checkout_url: string; deep_link: string; universal_url: string };
  };
  expect(body.code).toBe(0);
  return body.data;
}

test("MixPay creates an order, the user pays on the demo checkout and lands on return_url via 302", async ({
  page,
  request,
  baseURL,
}) => {
  const range = (await (
    await request.get(`/mixpay/assets/range?payee_id=${crypto.randomUUID()}&wallet=demo`)
  ).json()) as { code: number; data: { asset_id: string; fee: string }[] };
  expect(range.code).toBe(0);
  // The fee the broker offers now (another test may have changed it): amount × rate, rounded up.
  const rate = new Decimal(range.data.find((a) => a.asset_id === USDT)!.fee);
  const fee = new Decimal("2.5").mul(rate).toDecimalPlaces(8, Decimal.ROUND_UP);

  const returnUrl = `${baseURL}/?returned=yes`;
  const links = await createOrder(request, returnUrl);
  expect(links.deep_link).toBe("");

  await page.goto(links.checkout_url);
  await expect(page.getByTestId("amount")).toHaveText("2.50000000 USDT");
  await expect(page.getByTestId("fee")).toHaveText(`${fee.toFixed(8)} USDT`);
  await expect(page.getByTestId("total")).toHaveText(`${fee.plus("2.5").toFixed(8)} USDT`);
  await expect(page.getByTestId("countdown")).toHaveText(/^1[45]:\d\d$/);

  const redirect = page.waitForResponse((r) => r.url().endsWith("/pay") && r.request().method() === "POST");
  await page.getByRole("button", { name: /^Pay/ }).click();
  const payResponse = await redirect;
  expect(payResponse.status()).toBe(302);
  expect(payResponse.headers()["location"]).toBe(returnUrl);
  await page.waitForURL(returnUrl);

  // The order is paid, with its timeline.
  await page.goto(links.checkout_url);
  await expect(page.getByTestId("status")).toHaveText("Paid");
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("order.created");
  await expect(timeline).toContainText("wallet.payment_created");
  await expect(timeline).toContainText("wallet.paid");
});

test("Cancel closes the order and also returns the user to MixPay", async ({ page, request, baseURL }) => {
  const returnUrl = `${baseURL}/?cancelled=yes`;
  const links = await createOrder(request, returnUrl, "1");
  await page.goto(links.checkout_url);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL(returnUrl);
  await page.goto(links.checkout_url);
  await expect(page.getByTestId("status")).toHaveText("Cancelled");
});

test("the MixPay routes answer the JSON envelope for bad input, wrong methods and unknown paths", async ({
  request,
}) => {
  const bad = await request.post("/mixpay/create_order", {
    headers: { "content-type": "application/json" },
    data: "{not json",
  });
  expect(bad.headers()["content-type"]).toMatch(/application\/json/);
  expect(await bad.json()).toMatchObject({ code: 11000, success: false, data: [] });
  const wrongMethod = await request.get("/mixpay/create_order");
  expect(wrongMethod.status()).toBe(405);
  expect(await wrongMethod.json()).toMatchObject({ code: 11000, success: false });
  const unknown = await request.get("/mixpay/nothing/here");
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ code: 11000, success: false });
});
