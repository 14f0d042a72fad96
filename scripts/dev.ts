/**
 * `npm run dev`: the broker on its embedded defaults, with what it needs around it.
 *  - the app (Next.js dev server behind scripts/serve.ts) on PGlite with seeded demo data;
 *  - an Inngest executor for the durable functions: the real Dev Server when `inngest-cli` is
 *    installed, otherwise the local runner in tools/inngest-local (nothing to download);
 *    none when INNGEST_BASE_URL points somewhere already;
 *  - the Mixin emulator when no Mixin keystore is configured (sandbox Mixin);
 *  - the Binance Pay double when BINANCE_PAY_DOUBLE=1 and no Binance Pay keys are configured.
 * Ctrl-C stops them all. With --prod it serves the production build (`npm run build` first: .next/ and dist/serve.mjs) with
 * the same companions; the browser tests use that, for speed and determinism.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { loadDotEnv } from "../server/config/load-dotenv";

// .env first, so the checks below (keystore, Binance keys, INNGEST_BASE_URL) see what it sets.
if (process.argv.includes("--prod")) Object.assign(process.env, { NODE_ENV: "production" });
loadDotEnv();

const root = process.cwd();
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const port = process.env.PORT ?? "3000";
const children: ChildProcess[] = [];
const prod = process.argv.includes("--prod");
const env: Record<string, string | undefined> = {
  NEXT_TELEMETRY_DISABLED: "1",
  ...process.env,
  NODE_ENV: prod ? "production" : (process.env.NODE_ENV ?? "development"),
};

function start(
  name: string,
  cmd: string,
  args: string[],
  extra: Record<string, string | undefined> = {},
): ChildProcess {
  const child = spawn(cmd, args, { stdio: "inherit", env: { ...env, ...extra } as NodeJS.ProcessEnv });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

// The embedded store's folder, when it is one (PGlite on disk): the emulator keeps its state next
// to it, and a fresh one gets the demo history (docs/demo.md).
const pgliteDir = !process.env.DATABASE_URL && !prod ? (process.env.PGLITE_DATA_DIR ?? ".data/pglite") : undefined;
const onDisk = pgliteDir !== undefined && !pgliteDir.startsWith("memory://");
const freshStore = onDisk && !existsSync(pgliteDir);

// Mixin: the emulator (in this process) unless real keys are configured.
if (!process.env.MIXIN_KEYSTORE && !process.env.MIXIN_KEYSTORE_FILE) {
  const { startMixinEmulator } = await import("../test/doubles/mixin/emulator");
  const { EMULATED_OAUTH_CLIENT_SECRET } = await import("../test/doubles/mixin/oauth");
  const persist = await import("../test/doubles/mixin/persist");
  // Mixin's side of a store on disk lives next to it; a new store starts a new Mixin.
  const stateFile = onDisk
    ? path.join(path.dirname(path.resolve(pgliteDir)), `${path.basename(pgliteDir)}.mixin-emulator.json`)
    : undefined;
  if (stateFile && freshStore) persist.forgetEmulatorState(stateFile);
  let saver: ReturnType<typeof persist.emulatorStateSaver> | undefined;
  const emulator = await startMixinEmulator({
    port: Number(process.env.MIXIN_EMULATOR_PORT ?? 7001),
    // Mixin keeps a sent transaction `signed` for a few seconds before it is `spent`; 0 = at once.
    spendDelayMs: Number(process.env.MIXIN_EMULATOR_SPEND_DELAY_MS ?? 0),
    state: stateFile ? persist.loadEmulatorState(stateFile) : undefined,
    onChange: () => saver?.schedule(),
  });
  if (stateFile) {
    saver = persist.emulatorStateSaver(stateFile, () => emulator.exportState());
    saver.flush();
    process.on("exit", () => saver?.flush());
    console.log(`[dev] Mixin emulator state: ${path.relative(root, stateFile)}`);
  }
  const historyOrders = Number(process.env.DEMO_HISTORY_ORDERS ?? 100);
  if (freshStore && historyOrders > 0 && !/^(0|false|no)$/i.test(process.env.SEED_DEMO_DATA ?? "")) {
    console.log(`[dev] fresh store: generating a week of demo history (${historyOrders} orders, DEMO_HISTORY_ORDERS)…`);
    const { generateDemoHistory } = await import("./demo/history");
    const h = await generateDemoHistory({ pgliteDataDir: pgliteDir, emulator, orders: historyOrders });
    saver?.flush();
    if (h) {
      const s = h.summary;
      const last = s.reconciliations.at(-1);
      const unexplained = last
        ? last.checks.filter((c) => c.difference !== "0").length + last.newSuspenseItems + last.lostSnapshots.length
        : 0;
      console.log(
        `[dev] demo history in ${(h.ms / 1000).toFixed(1)} s: ${s.created} orders, ${s.settled} settled, ${s.expired} expired, ${s.paidLate} paid late, ${s.mixpayRefunded} refunded by MixPay, ${s.refunded} refunded; ${unexplained} unexplained at the last reconciliation${s.errors.length ? `; ${s.errors.length} errors: ${s.errors.slice(0, 3).join("; ")}` : ""}`,
      );
    }
  }
  env.MIXIN_KEYSTORE = JSON.stringify(emulator.keystore);
  env.MIXIN_API_BASE_URL = emulator.url;
  env.MIXPAY_API_BASE_URL ??= emulator.url;
  if (!env.MIXIN_OAUTH_CLIENT_ID) {
    // Sign in with Mixin against the emulator's OAuth double (test/doubles/mixin/oauth.ts).
    env.MIXIN_OAUTH_CLIENT_ID = emulator.keystore.app_id;
    env.MIXIN_OAUTH_CLIENT_SECRET = EMULATED_OAUTH_CLIENT_SECRET;
    env.MIXIN_OAUTH_AUTHORIZE_URL = `${emulator.url}/oauth/authorize`;
    env.MIXIN_OAUTH_TOKEN_URL = `${emulator.url}/oauth/token`;
    env.MIXIN_OAUTH_PROFILE_URL = `${emulator.url}/me`;
  }
  console.log(
    `[dev] Mixin emulator at ${emulator.url} (state: ${emulator.url}/_emulator/state); emulated MixPay bot ${emulator.mixpayBotId}`,
  );
}

// Binance Pay: the local double when asked for (BINANCE_PAY_DOUBLE=1) and no real keys are set.
// Without either, the `binance` wallet is served by the demo wallet, as before.
if (!process.env.BINANCE_PAY_API_KEY && /^(1|true|yes)$/.test(process.env.BINANCE_PAY_DOUBLE ?? "")) {
  const { startBinancePayDouble } = await import("../test/doubles/binance/double");
  const double = await startBinancePayDouble({
    port: Number(process.env.BINANCE_PAY_DOUBLE_PORT ?? 7002),
    // Refunds answer PENDING, as Binance's do, and succeed (with their notification) this much later.
    refundSettleMs: Number(process.env.BINANCE_PAY_DOUBLE_REFUND_SETTLE_MS ?? 5000),
  });
  env.BINANCE_PAY_API_KEY = double.apiKey;
  env.BINANCE_PAY_SECRET = double.secret;
  env.BINANCE_PAY_BASE_URL = double.url;
  console.log(`[dev] Binance Pay double at ${double.url} (state: ${double.url}/_double/state)`);
}

// Inngest: an executor for /api/inngest.
if (!process.env.INNGEST_BASE_URL) {
  const inngestPort = process.env.INNGEST_LOCAL_PORT ?? "8288";
  env.INNGEST_DEV = env.INNGEST_DEV ?? "1";
  env.INNGEST_BASE_URL = `http://127.0.0.1:${inngestPort}`;
  const cli = spawnSync("inngest-cli", ["version"], { stdio: "ignore" });
  if (cli.status === 0) {
    console.log("[dev] starting the Inngest Dev Server (inngest-cli)");
    start("inngest-dev-server", "inngest-cli", [
      "dev",
      "--no-discovery",
      "-u",
      `http://127.0.0.1:${port}/api/inngest`,
      "--port",
      inngestPort,
    ]);
  } else {
    console.log("[dev] inngest-cli is not installed: starting the local Inngest runner (tools/inngest-local)");
    start("inngest-local", tsx, [path.join(root, "tools", "inngest-local", "main.ts")], {
      INNGEST_LOCAL_PORT: inngestPort,
      INNGEST_LOCAL_APP_URL: `http://127.0.0.1:${port}/api/inngest`,
    });
  }
}

// --prod serves what `npm start` serves: the compiled server (npm run build), no TypeScript loader.
if (prod) start("app", process.execPath, [path.join(root, "dist", "serve.mjs")]);
else start("app", tsx, [path.join(root, "scripts", "serve.ts"), "--dev"]);
