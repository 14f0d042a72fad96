import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests against the production build served with the same companions as `npm run dev`
 * (Mixin emulator, local Inngest runner; `scripts/dev.ts --prod`), on a throwaway in-memory
 * store and ports of their own. The production build is quick to build here (~30 s) and avoids
 * dev-mode recompiles and reloads during a test. Debian's Chromium where it is installed (Playwright
 * cannot download its own browser here), else Playwright's.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;
const debianChromium = "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: "test-results/e2e",
  use: {
    baseURL,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: existsSync(debianChromium)
      ? {
          executablePath: debianChromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        }
      : {},
  },
  webServer: {
    command: "npm run build && node_modules/.bin/tsx scripts/dev.ts --prod",
    url: `${baseURL}/api/health`,
    timeout: 420_000,
    reuseExistingServer: false,
    stdout: process.env.E2E_SERVER_LOG ? "pipe" : "ignore",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: baseURL,
      PGLITE_DATA_DIR: "memory://",
      INNGEST_LOCAL_PORT: String(PORT + 188),
      MIXIN_EMULATOR_PORT: String(PORT + 101),
      // The `binance` wallet runs against the Binance Pay double (e2e/binance-checkout.spec.ts).
      BINANCE_PAY_DOUBLE: "1",
      BINANCE_PAY_DOUBLE_PORT: String(PORT + 102),
      LOG_LEVEL: "warn",
      // Production build, but over plain HTTP on loopback with the demo wallet, demo data and an
      // embedded store: the explicit, loopback-only test escape (server/config/production-refusals.ts).
      BROKER_UNSAFE_TEST_MODE: "true",
      MIXPAY_REQUIRE_HTTPS: "false",
      // Production refuses to start without a source allow-list: the tests call from loopback.
      MIXPAY_ALLOWED_SOURCES: "127.0.0.1,::1",
      DEMO_WALLET_ENABLED: "true",
      AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
