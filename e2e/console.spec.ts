import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const DEMO_PAYEE = "3a2e0ab6-7e8f-4c06-9a3c-2a0d2f6f1a11";
/** A full-page screenshot once the page has rendered (not its loading skeleton). */
async function shot(page: Page, name: string) {
  await page.locator("main h1").first().waitFor();
  await page.screenshot({ path: `test-results/e2e/console-${name}.png`, fullPage: true });
}

async function createOrder(request: APIRequestContext, payee: string, amount: string) {
  const traceId = crypto.randomUUID();
  const res = await request.post("/mixpay/create_order", {
    data: {
      payee_id: payee,
      wallet: "demo",
      asset_id: USDT,
      amount,
      trace_id: traceId,
      memo: "console-e2e",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: "https://mixpay.me/r",
      opponent_id: crypto.randomUUID(),
    },
  });
  return { traceId, body: (await res.json()) as { code: number } };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
  await page.goto("/console");
  await page.waitForURL(/\/sign-in/);
}

test("merchant: find an order by trace_id, open it, export the filtered CSV, sign out", async ({ page, request }) => {
  const { traceId, body } = await createOrder(request, DEMO_PAYEE, "1.5");
  expect(body.code).toBe(0);
  await createOrder(request, crypto.randomUUID(), "2"); // another merchant's order: never shown

  await page.goto("/console");
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel("Email").fill("merchant@demo.local");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();

  await signIn(page, "merchant@demo.local", "merchant-demo-password");
  await page.waitForURL(/\/console\/payments/);
  await shot(page, "merchant-payments");
  await page.getByLabel("Trace id or order id").fill(traceId);
  await page.getByRole("button", { name: "Filter" }).click();
  const rows = page.getByTestId("orders").locator("tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(traceId);
  await expect(page.getByTestId("totals")).toContainText("1 × 1.50000000 USDT");
  // In the browser the export streams with a row count, then saves the file.
  const download = page.waitForEvent("download");
  await page.getByTestId("export-csv").click();
  const saved = await download;
  await expect(page.getByTestId("export-progress")).toHaveText("Exported 1 rows.");
  expect(saved.suggestedFilename()).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.csv$/);

  const csv = await page.request.get(`/console/payments/export?q=${traceId}`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text()).trim().split("\n");
  expect(lines[0]).toBe(
    "order_id,trace_id,payee_id,wallet,asset_id,symbol,amount,fee,pay_amount,status,created_at,expired_at",
  );
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`,${traceId},${DEMO_PAYEE},demo,${USDT},USDT,1.50000000,0.01500000,1.51500000,created,`);
  const all = (await (await page.request.get("/console/payments/export")).text()).trim().split("\n").slice(1);
  expect(all.every((l) => l.includes(`,${DEMO_PAYEE},`))).toBe(true);

  await rows.first().getByRole("link").click();
  await expect(page.getByTestId("order-fields")).toContainText(traceId);
  await expect(page.getByTestId("order-timeline")).toContainText("order.created");
  await shot(page, "merchant-order");

  // Operator pages are closed to merchants.
  const forbidden = await page.request.get("/api/trpc/operator.overview");
  expect(forbidden.status()).toBe(403);
  await signOut(page);
});

test("operator: change a fee and see it in assets/range, block a payee and see 11001, acknowledge an alert, read the audit log", async ({
  page,
  request,
}) => {
  await signIn(page, "operator@demo.local", "operator-demo-password");
  await page.waitForURL(/\/console\/overview/);
  await shot(page, "operator-overview");

  await page.goto("/console/assets");
  const usdt = page.getByTestId("asset-USDT");
  await usdt.getByLabel("fee rate").fill("0.025");
  await usdt.getByLabel("max USDT").fill("100000");
  await usdt.getByRole("button", { name: "Save USDT" }).click();
  await expect(usdt.getByLabel("fee rate")).toHaveValue("0.02500000");
  await shot(page, "operator-assets");
  const range = (await (await request.get(`/mixpay/assets/range?payee_id=${DEMO_PAYEE}&wallet=demo`)).json()) as {
    data: { asset_id: string; fee: string }[];
  };
  expect(range.data.find((a) => a.asset_id === USDT)?.fee).toBe("0.0250");

  const blocked = crypto.randomUUID();
  await page.goto("/console/access");
  await page.getByLabel("Payee id", { exact: true }).fill(blocked);
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.getByTestId("access-entries")).toContainText(blocked);
  await shot(page, "operator-access");
  expect(
    ((await (await request.get(`/mixpay/assets/range?payee_id=${blocked}&wallet=demo`)).json()) as { code: number })
      .code,
  ).toBe(11001);

  // More than the bot holds → 11002 → a balance alert for the operator.
  expect((await createOrder(request, DEMO_PAYEE, "6000")).body.code).toBe(11002);
  await page.goto("/console/overview");
  const alert = page.getByTestId("alerts").locator("li", { hasText: "balance_unavailable" });
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("alerts").locator("li", { hasText: "balance_unavailable" })).toHaveCount(0);

  // Put back what this test changed: other tests share this server.
  await page.goto("/console/assets");
  await usdt.getByLabel("fee rate").fill("0.01");
  await usdt.getByLabel("max USDT").fill("1000");
  await usdt.getByRole("button", { name: "Save USDT" }).click();
  await expect(usdt.getByLabel("fee rate")).toHaveValue("0.01000000");

  await page.goto("/console/audit");
  const audit = page.getByTestId("audit");
  for (const action of ["asset.update", "access.block.add", "alert.acknowledge"])
    await expect(audit).toContainText(action);
  await shot(page, "operator-audit");
  await signOut(page);
});

test("merchant: Sign in with Mixin (OAuth double) shows that payee's orders with no set-up; sign out", async ({
  page,
  request,
}) => {
  const mixinUserId = crypto.randomUUID();
  const { traceId, body } = await createOrder(request, mixinUserId, "3.25");
  expect(body.code).toBe(0);
  const other = await createOrder(request, crypto.randomUUID(), "4");

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Mixin" }).click();
  // The emulator's authorize page stands in for Mixin's QR code: "scan" it as this Mixin user.
  await expect(page.getByRole("heading", { name: /Authorize with Mixin/ })).toBeVisible();
  await page.getByLabel("Mixin user id").fill(mixinUserId);
  await page.getByLabel("Full name").fill("Mixin Merchant");
  await page.getByRole("button", { name: "Authorize" }).click();

  await page.waitForURL(/\/console\/payments/);
  await expect(page.getByTestId("signed-in-as")).toContainText("Mixin Merchant (merchant)");
  const rows = page.getByTestId("orders").locator("tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(traceId);
  await expect(page.getByTestId("orders")).not.toContainText(other.traceId);
  await expect(page.getByTestId("totals")).toContainText("1 × 3.25000000 USDT");
  await shot(page, "mixin-merchant-payments");
  await signOut(page);

  // A second sign-in finds the same user (no second account, same payee).
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Mixin" }).click();
  await page.getByLabel("Mixin user id").fill(mixinUserId);
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(/\/console\/payments/);
  await expect(page.getByTestId("orders").locator("tr")).toHaveCount(1);
  await signOut(page);
});

test("operator: every page renders; edit a low-balance threshold; invite a user who signs in with the one-time password; sign out", async ({
  page,
}) => {
  await signIn(page, "operator@demo.local", "operator-demo-password");
  await page.waitForURL(/\/console\/overview/);
  await expect(page.getByTestId("rates")).toContainText("Success");
  await expect(page.getByRole("heading", { name: "Paid volume per day" })).toBeVisible();

  // Low-balance threshold: saved, audited, and shown after a reload.
  await page.goto("/console/balances");
  const usdt = page.getByTestId("balance-USDT");
  const threshold = usdt.getByLabel("Low-balance threshold (USDT)");
  const original = await threshold.inputValue();
  await threshold.fill("123.45");
  await usdt.getByRole("button", { name: "Save" }).click();
  await expect(usdt.getByRole("status")).toHaveText("saved");
  await page.reload();
  await expect(page.getByTestId("balance-USDT").getByLabel("Low-balance threshold (USDT)")).toHaveValue("123.45000000");
  await shot(page, "operator-balances");
  await threshold.fill("-1");
  await usdt.getByRole("button", { name: "Save" }).click();
  await expect(usdt.getByRole("alert")).toBeVisible();
  await threshold.fill(original);
  await usdt.getByRole("button", { name: "Save" }).click();
  await expect(usdt.getByRole("status")).toHaveText("saved");

  // Invite a merchant linked to a payee: the one-time password is shown once.
  const email = `invited-${crypto.randomUUID().slice(0, 8)}@example.test`;
  await page.goto("/console/users");
  const invite = page.getByRole("form", { name: "Invite a user" });
  await invite.getByLabel("Email").fill(email);
  await invite.getByLabel("Payee ids (comma-separated)").fill(DEMO_PAYEE);
  await invite.getByRole("button", { name: "Invite" }).click();
  const otp = page.getByTestId("one-time-password");
  await expect(otp).toContainText(email);
  const password = (await otp.locator("code").textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(12);
  await expect(page.getByTestId(`user-${email}`)).toContainText(DEMO_PAYEE);
  await shot(page, "operator-users");
  await page.reload();
  await expect(page.getByTestId("one-time-password")).toHaveCount(0);

  for (const [path, name, heading] of [
    ["/console/settlements", "settlement-queue", "Settlement queue"],
    ["/console/refunds", "refunds", "Refunds"],
    ["/console/wallets", "wallets", "Wallets"],
    ["/console/alerts", "alerts", "Alerts"],
    ["/console/payments", "orders", "All orders"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await shot(page, `operator-${name}`);
  }
  await expect(page.getByLabel("Payee id")).toBeVisible(); // operators filter by payee too
  await page.goto("/console/wallets");
  await expect(page.getByTestId("wallet-demo")).toContainText("demo");
  // The browser tests run the binance wallet against the Binance Pay double: the page says who serves it.
  await expect(page.getByTestId("served-by-binance")).toContainText("Binance Pay at http://127.0.0.1:");

  // Keyboard: the first Tab lands on the console navigation.
  await page.goto("/console/balances");
  await page.locator("main h1").waitFor();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Overview" })).toBeFocused();

  // Dark mode follows the system setting.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/console/overview");
  expect(await background()).not.toBe(light);
  await shot(page, "operator-overview-dark");
  await page.emulateMedia({ colorScheme: "light" });
  await signOut(page);

  // The invited merchant signs in with the one-time password and reads the linked payee.
  await signIn(page, email, password);
  await page.waitForURL(/\/console\/payments/);
  await expect(page.getByRole("heading", { name: "Payment history" })).toBeVisible();
  await signOut(page);

  // Disable them: they can no longer sign in.
  await signIn(page, "operator@demo.local", "operator-demo-password");
  await page.goto("/console/users");
  await page
    .getByTestId(`user-${email}`)
    .getByRole("button", { name: `Disable ${email}` })
    .click();
  await expect(page.getByTestId(`user-${email}`)).toContainText("disabled");
  await signOut(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
});
