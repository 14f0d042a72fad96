import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { MixinEmulator } from "../../test/doubles/mixin/emulator";

/**
 * The broker's production build as a child process of a test (so a test can SIGKILL and restart
 * it), wired to a Mixin emulator and a local Inngest runner that live in the test process.
 * Resolves once /api/health answers.
 */
export async function startBrokerProcess(opts: { port: number; emu: MixinEmulator; inngestUrl: string; env?: Record<string, string> }): Promise<ChildProcess> {
  const base = `http://127.0.0.1:${opts.port}`;
  // The compiled server `npm start` runs (the Playwright web server ran `npm run build`).
  const child = spawn(process.execPath, [path.join("dist", "serve.mjs")], {
    stdio: process.env.E2E_SERVER_LOG ? "inherit" : "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: base,
      // The loopback-only escape that lets the production build run over http with the demo wallet.
      BROKER_UNSAFE_TEST_MODE: "true",
      MIXPAY_REQUIRE_HTTPS: "false",
      MIXPAY_ALLOWED_SOURCES: "127.0.0.1,::1",
      DEMO_WALLET_ENABLED: "true",
      AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789",
      MIXIN_KEYSTORE: JSON.stringify(opts.emu.keystore),
      MIXIN_API_BASE_URL: opts.emu.url,
      MIXIN_TIMEOUT_MS: "3000",
      MIXIN_RETRIES: "-1",
      MIXPAY_API_BASE_URL: opts.emu.url,
      INNGEST_DEV: "1",
      INNGEST_BASE_URL: opts.inngestUrl,
      LOG_LEVEL: "warn",
      ...opts.env,
    },
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill("SIGKILL");
  throw new Error("the broker did not start");
}
