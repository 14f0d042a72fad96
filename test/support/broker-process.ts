import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { MixinEmulator } from "../doubles/mixin/emulator";

/**
 * The broker's production build as a child process, the one way the Playwright specs and the
 * benchmarks start it: `node dist/serve.mjs`, what `npm start` runs (`npm run build` compiles
 * it; Playwright's web server has run the build). A child can be SIGKILLed and restarted by the
 * test, and measures the server as it is deployed.
 */
const SERVE = path.join("dist", "serve.mjs");

/**
 * The settings every broker child shares: production on loopback, with the loopback-only escape
 * (BROKER_UNSAFE_TEST_MODE) that lets the production build run over http with the demo wallet,
 * and the emulator's bot as its Mixin bot (production refuses to start without one Mixin accepts).
 */
export function loopbackBrokerEnv(opts: {
  port: number;
  emu: MixinEmulator | null;
  inngestUrl: string;
}): Record<string, string> {
  return {
    NODE_ENV: "production",
    PORT: String(opts.port),
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: `http://127.0.0.1:${opts.port}`,
    BROKER_UNSAFE_TEST_MODE: "true",
    MIXPAY_REQUIRE_HTTPS: "false",
    MIXPAY_ALLOWED_SOURCES: "127.0.0.1,::1",
    DEMO_WALLET_ENABLED: "true",
    AUTH_SECRET: "e2e-only-auth-secret-0123456789abcdef0123456789",
    ...(opts.emu ? { MIXIN_KEYSTORE: JSON.stringify(opts.emu.keystore), MIXIN_API_BASE_URL: opts.emu.url } : {}),
    INNGEST_DEV: "1",
    INNGEST_BASE_URL: opts.inngestUrl,
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

/**
 * Spawns `node dist/serve.mjs` with exactly `env` (pass process.env in yourself if the child should
 * inherit it). `dir`: another checkout's build (bench/compare-builds.ts), run from that folder.
 */
export function spawnBrokerServer(opts: {
  env: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  stdio?: StdioOptions;
  dir?: string;
}): ChildProcess {
  const serve = path.join(opts.dir ?? "", SERVE);
  if (!existsSync(serve)) throw new Error(`${serve} is missing: run \`npm run build\` first`);
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), serve], {
    env: opts.env,
    stdio: opts.stdio ?? "pipe",
    ...(opts.dir ? { cwd: opts.dir } : {}),
  });
}

/** Polls `url` until it answers 2xx. */
export async function waitForOk(url: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Spawns the broker and resolves once /api/health answers. A broker that exits first (refused
 * settings, say) fails at once with its exit code, not after the wait; one that never answers
 * is SIGKILLed so no orphan keeps the port.
 */
export async function startBrokerServer(opts: {
  port: number;
  env: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  stdio?: StdioOptions;
  timeoutMs?: number;
  dir?: string;
}): Promise<ChildProcess> {
  const child = spawnBrokerServer(opts);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(new Error(`the broker on port ${opts.port} exited (${code ?? signal}) before answering`)),
    ),
  );
  try {
    await Promise.race([waitForOk(`http://127.0.0.1:${opts.port}/api/health`, opts.timeoutMs ?? 120_000), exited]);
  } catch (e) {
    if (child.exitCode === null) child.kill("SIGKILL");
    throw e;
  }
  return child;
}

/**
 * The Playwright specs' broker: wired to a Mixin emulator and a local Inngest runner that live in
 * the test process, with a short Mixin timeout and endless retries so the fault specs see a
 * stalled or failing Mixin recover. `env` adds or overrides settings (DATABASE_URL, …).
 */
export async function startBrokerProcess(opts: {
  port: number;
  emu: MixinEmulator;
  inngestUrl: string;
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  return startBrokerServer({
    port: opts.port,
    stdio: process.env.E2E_SERVER_LOG ? "inherit" : "ignore",
    env: {
      ...process.env,
      ...loopbackBrokerEnv(opts),
      MIXIN_TIMEOUT_MS: "3000",
      MIXIN_RETRIES: "-1",
      MIXPAY_API_BASE_URL: opts.emu.url,
      LOG_LEVEL: "warn",
      ...opts.env,
    },
  });
}
