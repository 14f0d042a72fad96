import { expect, test, type Locator, type Page } from "@playwright/test";
import Decimal from "decimal.js";

/*
 * The treasury page: an order paid on the demo checkout shows in the books at once (same
 * transaction as the status), a reconciliation requested from the page runs, and the daily
 * statement downloads as CSV with the payment on the wallet side. Screenshots in light and dark.
 */
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const DEMO_PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";

async function signInOperator(page: Page) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("operator@demo.local");
  await page.getByLabel("Password").fill("operator-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("operator@demo.local");
}

/** The demo wallet's side of the USDT card (its `data-wallets`, "demo=15.15,binance=2.5"); 0 before its first payment. */
async function demoWalletSide(card: Locator): Promise<Decimal> {
  const wallets = (await card.getByTestId("wallet-side").getAttribute("data-wallets")) ?? "";
  const demo = wallets.split(",").find((w) => w.startsWith("demo="));
  return new Decimal(demo ? demo.slice("demo=".length) : "0");
}

test("treasury: books after a payment, reconcile now, CSV statement, light and dark", async ({ page, request }) => {
  // Other specs share this store: measure the payment as a change of the demo wallet's side.
  await signInOperator(page);
  await page.goto("/console/treasury");
  const before = await demoWalletSide(page.getByTestId("treasury-USDT"));

  const res = await request.post("/mixpay/create_order", {
    data: {
      payee_id: DEMO_PAYEE,
      wallet: "demo",
      asset_id: USDT,
      amount: "12.5",
      trace_id: crypto.randomUUID(),
      memo: "treasury-e2e",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: "https://mixpay.me/r",
      opponent_id: crypto.randomUUID(),
    },
  });
  const created = (await res.json()) as { code: number; data: { checkout_url: string } };
  expect(created.code).toBe(0);
  // The checkout's 302 to return_url is answered locally: tests reach loopback only.
  await page.route("https://mixpay.me/**", (r) =>
    r.fulfill({ status: 200, contentType: "text/plain", body: "back at MixPay" }),
  );
  await page.goto(created.data.checkout_url);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await page.waitForURL(/mixpay\.me/);

  await page.goto("/console/treasury");
  await expect(page.getByRole("heading", { name: "Treasury" })).toBeVisible();
  const usdt = page.getByTestId("treasury-USDT");
  // 12.5 + 1% fee (0.125) paid in at the wallet, booked in the same transaction as the payment.
  expect((await demoWalletSide(usdt)).minus(before).toFixed()).toBe("12.625");
  await expect(usdt.getByRole("img", { name: /USDT: Mixin bot and wallet balances/ })).toBeVisible();

  await page.getByRole("button", { name: "Reconcile now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "requested" })).toBeVisible();
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("last-reconciliation").innerText();
      },
      { timeout: 60_000, intervals: [1000, 2000, 3000] },
    )
    .toMatch(/Last reconciliation/);

  // The statement as CSV, through the page's own link (the session cookie goes with it).
  const href = await page.getByTestId("statement-csv").getAttribute("href");
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
  expect(csv.headers()["content-disposition"]).toMatch(/attachment; filename="statement-USDT-/);
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe("date,asset_id,symbol,account,line,kind,amount");
  const today = new Date().toISOString().slice(0, 10);
  expect(lines).toContainEqual(
    expect.stringMatching(new RegExp(`^${today},${USDT},USDT,wallet:demo,inflow,order_paid,\\d+(\\.\\d+)?$`)),
  );
  const paidIn = lines
    .find((l) => l.startsWith(`${today},${USDT},USDT,wallet:demo,inflow,order_paid,`))!
    .split(",")[6]!;
  expect(Number(paidIn) >= 12.625).toBe(true);
  // Each day and account closes where opening + in − out says.
  const rows = lines.slice(1).map((l) => l.split(","));
  for (const key of new Set(rows.map((r) => `${r[0]}|${r[3]}`))) {
    const mine = rows.filter((r) => `${r[0]}|${r[3]}` === key);
    const sum = (line: string) => mine.filter((r) => r[4] === line).reduce((s, r) => s + Number(r[6]), 0);
    expect(sum("opening") + sum("inflow") - sum("outflow")).toBeCloseTo(sum("closing"), 8);
  }
  // A merchant cannot download it.
  const anonymous = await request.get(href!);
  expect(anonymous.status()).toBe(401);

  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: "test-results/e2e/treasury-light.png", fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: "test-results/e2e/treasury-dark.png", fullPage: true });
});
