import type { ChildProcess } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { startMixinEmulator, type MixinEmulator } from "../test/doubles/mixin/emulator";
import { startLocalInngest, type LocalInngest } from "../tools/inngest-local/runner";
import { startBrokerProcess } from "../test/support/broker-process";

/**
 * The operator's Retry of a failed settlement, end to end in Chromium: the Mixin emulator and
 * the local Inngest runner (with short backoffs, so ten retries exhaust in seconds) live in this
 * test process; the broker is the production build on a throwaway PGlite store.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100) + 350;
const base = `http://127.0.0.1:${PORT}`;
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const quiet = { info() {}, warn() {}, error() {} };
/** A full-page screenshot once the page has rendered (not its loading skeleton). */
async function shot(page: Page, name: string) {
  await page.locator("main h1").first().waitFor();
  await page.screenshot({ path: `test-results/e2e/console-${name}.png`, fullPage: true });
}

let emu: MixinEmulator;
let runner: LocalInngest;
let app: ChildProcess | undefined;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  emu = await startMixinEmulator();
  runner = await startLocalInngest({
    port: 0,
    appUrl: `${base}/api/inngest`,
    autoCron: false,
    resyncIntervalMs: 0,
    logger: quiet,
    backoff: () => 150,
  });
  app = await startBrokerProcess({ port: PORT, emu, inngestUrl: runner.url, env: { PGLITE_DATA_DIR: "memory://" } });
});

test.afterAll(async () => {
  app?.kill("SIGKILL");
  await runner?.close();
  await emu?.close();
});

test("operator retries a failed settlement from the queue and sees it settle", async ({ page }) => {
  // Mixin refuses the transfer's ghost keys until the fault is cleared: every retry fails, the
  // function gives up, and the order lands in settlement_failed with a critical alert.
  emu.setFault({ pattern: "^POST /safe/keys$", mode: "500" });
  const traceId = crypto.randomUUID();
  const res = await fetch(`${base}/mixpay/create_order`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      payee_id: crypto.randomUUID(),
      wallet: "demo",
      asset_id: USDT,
      amount: "2.5",
      trace_id: traceId,
      memo: "retry-e2e",
      expired_at: String(Math.floor(Date.now() / 1000) + 900),
      return_url: "https://mixpay.me/return",
      opponent_id: emu.mixpayBotId,
    }),
  });
  const body = (await res.json()) as { code: number; data: { checkout_url: string } };
  expect(body.code).toBe(0);
  const orderId = body.data.checkout_url.split("/").pop()!;
  expect((await fetch(`${base}/checkout/${orderId}/pay`, { method: "POST", redirect: "manual" })).status).toBe(302);

  await page.goto(`${base}/sign-in`);
  await page.getByLabel("Email").fill("operator@demo.local");
  await page.getByLabel("Password").fill("operator-demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/console\/overview/);

  await page.goto(`${base}/console/settlements`);
  const row = page.getByTestId(`queue-${traceId}`);
  await expect(row).toBeVisible({ timeout: 60_000 }); // the queue polls; the order fails within seconds
  await expect(row).toContainText("settlement_failed");
  expect(emu.settlements().filter((s) => s.traceId === traceId)).toHaveLength(0);
  await shot(page, "operator-settlements");

  emu.clearFaults();
  await row.getByRole("button", { name: `Retry ${traceId}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Queued 1 for retry" })).toBeVisible();
  await expect(page.getByTestId(`retry-${traceId}`)).toContainText("settled ✓", { timeout: 60_000 });
  await expect(page.getByTestId(`queue-${traceId}`)).toHaveCount(0);
  expect(emu.settlements().filter((s) => s.traceId === traceId)).toEqual([expect.objectContaining({ amount: "2.5" })]);
  await shot(page, "operator-settlements-retried");

  // The failure raised a critical alert; the operator acknowledges it on the alerts page.
  await page.goto(`${base}/console/alerts`);
  const alert = page.getByTestId("alerts").locator("tr", { hasText: "settlement_failed" }).first();
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Acknowledge" }).click();
  await expect(page.getByTestId("alerts").locator("tr", { hasText: "settlement_failed" })).toHaveCount(0);

  // The audit log holds the retry.
  await page.goto(`${base}/console/audit`);
  await expect(page.getByTestId("audit")).toContainText("settlement.retry");

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
});
