import { expect, test } from "@playwright/test";

/**
 * The whole money loop under the local Inngest runner, through the real HTTP routes:
 * MixPay creates an order → the user pays on the demo checkout → the broker settles to the
 * emulated MixPay bot → MixPay refunds with RF|trace_id|40025 → the end user is refunded.
 */
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const MIXPAY_BOT = "9c0a2b4e-6c1d-4e8f-9a7b-3d5e1f2a4b6c";
const emulator = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 101}`;

test("create → pay → settle to MixPay → MixPay refunds → end user refunded, all on the timeline", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const traceId = crypto.randomUUID();
  const memo = "cGF5bWVudHxlMmU=";
  const created = await request.post("/mixpay/create_order", {
    form: {
      payee_id: crypto.randomUUID(),
      wallet: "demo",
      asset_id: USDT,
      amount: "4.2",
      trace_id: traceId,
      memo,
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: `${baseURL}/?back=1`,
      opponent_id: MIXPAY_BOT,
    },
  });
  const { code, data } = (await created.json()) as { code: number; data: { checkout_url: string } };
  expect(code).toBe(0);

  await page.goto(data.checkout_url);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(`${baseURL}/?back=1`);

  // Settlement: the emulated MixPay bot receives amount, trace_id and memo exactly once.
  await expect
    .poll(
      async () =>
        ((await (await request.get(`${emulator}/_emulator/settlements`)).json()) as { traceId: string }[]).filter(
          (s) => s.traceId === traceId,
        ).length,
      { timeout: 90_000 },
    )
    .toBe(1);
  const settlement = (
    (await (await request.get(`${emulator}/_emulator/settlements`)).json()) as {
      traceId: string;
      amount: string;
      memo: string;
    }[]
  ).find((s) => s.traceId === traceId);
  expect(settlement).toMatchObject({ amount: "4.2", memo });
  // "Paid" covers settling and settled for the end user; the timeline tells them apart (reload until settled).
  await expect
    .poll(async () => (await page.goto(data.checkout_url), page.getByTestId("status").textContent()), {
      timeout: 60_000,
    })
    .toBe("Paid");
  await expect
    .poll(async () => (await page.goto(data.checkout_url), page.getByTestId("timeline").textContent()), {
      timeout: 90_000,
      intervals: [1000],
    })
    .toContain("order.settled");

  // MixPay sends the money back; the snapshot watcher finds it and the end user is refunded.
  expect(
    (await request.post(`${emulator}/_emulator/refund`, { data: { trace_id: traceId, code: "40025" } })).ok(),
  ).toBe(true);
  await expect
    .poll(async () => (await page.goto(data.checkout_url), page.getByTestId("status").textContent()), {
      timeout: 150_000,
      intervals: [3000],
    })
    .toBe("Refunded");
  const timeline = page.getByTestId("timeline");
  for (const step of [
    "order.created",
    "wallet.payment_created",
    "wallet.paid",
    "order.settling",
    "settlement.transfer_sent",
    "order.settled",
    "order.mixpay_refunded",
    "order.refunding",
    "order.refunded",
  ]) {
    await expect(timeline).toContainText(step);
  }
  await page.screenshot({ path: "test-results/e2e/money-loop.png", fullPage: true });
  // Still one settlement: nothing was paid twice along the way.
  expect(
    ((await (await request.get(`${emulator}/_emulator/settlements`)).json()) as { traceId: string }[]).filter(
      (s) => s.traceId === traceId,
    ),
  ).toHaveLength(1);
});
