import { expect, test } from "@playwright/test";

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";

/**
 * An operator cancels an open order from its page (the reservation release itself is proven in
 * server/console/cancel-order.test.ts; this server's store is shared with the other specs).
 */
test("operator: Cancel order on the order page cancels it, closes it at the wallet and shows on the timeline", async ({
  page,
  request,
}) => {
  const res = await request.post("/mixpay/create_order", {
    data: {
      payee_id: PAYEE,
      wallet: "demo",
      asset_id: USDT,
      amount: "1.25",
      trace_id: crypto.randomUUID(),
      memo: "cancel-e2e",
      expired_at: String(Math.floor(Date.now() / 1000) + 3600),
      return_url: "https://mixpay.me/r",
      opponent_id: crypto.randomUUID(),
    },
  });
  const created = (await res.json()) as { code: number; data: { checkout_url: string } };
  expect(created.code).toBe(0);
  const orderId = created.data.checkout_url.split("/").pop()!;

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("operator@demo.local");
  await page.getByLabel("Password").fill("operator-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("operator@demo.local");

  await page.goto(`/console/orders/${orderId}`);
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Cancel order" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Cancelled; the payment is closed at the wallet." }),
  ).toBeVisible();
  await expect(page.getByTestId("order-timeline")).toContainText("order.cancelled_by_operator");
  await expect(page.getByRole("button", { name: "Cancel order" })).toHaveCount(0);
  await expect(page.getByTestId("order-timeline")).toContainText("wallet.close_requested");
  // After a reload the order reads cancelled and offers no second cancel.
  await page.reload();
  await expect(page.locator("main h1")).toContainText("cancelled");
  await expect(page.getByRole("button", { name: /Cancel order|Retry wallet close/ })).toHaveCount(0);
});
