import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SAFE_PRODUCTION } from "@/server/config/production-fixture";
import { createTestStore } from "@/test/store";
import { seedDemoUsers } from "@/db/seed-users";
import { refuseDemoUsers, StartupError } from "./preflight";

/**
 * The broker as a service, through real processes: a production start with bad settings exits 1
 * with the reason, `.env` is read by the entry points, an unreachable database ends the start, and
 * SIGTERM lets a request in flight finish. Every child is bounded by a timeout and killed after.
 */
const ROOT = process.cwd();
// tsx's loader by path: the scratch working directories have no node_modules.
const TSX = ["--import", pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href];
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A scratch working directory with `.env` content (and the migrations where the scripts look for them). */
function workdir(dotenv: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "broker-svc-"));
  tmpDirs.push(dir);
  writeFileSync(path.join(dir, ".env"), dotenv);
  mkdirSync(path.join(dir, "db"));
  symlinkSync(path.join(ROOT, "db", "migrations"), path.join(dir, "db", "migrations"));
  return dir;
}

interface Run {
  code: number | null;
  out: string;
}

/** Run a script of this repository to its end (killed after timeoutMs) with only the given environment. */
function runScript(
  script: string,
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number; args?: string[] } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TSX, path.join(ROOT, script), ...(opts.args ?? [])], {
      cwd: opts.cwd ?? ROOT,
      // No inherited settings: only what the test gives (plus what finds node and tsx's tsconfig).
      env: {
        PATH: process.env.PATH ?? "",
        TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json"),
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      } as unknown as NodeJS.ProcessEnv,
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const dotenvOf = (vars: Record<string, string>) =>
  Object.entries(vars)
    .map(([k, v]) => `${k}='${v}'`)
    .join("\n") + "\n";

describe("a production start that must fail exits 1 with the reason (scripts/serve.ts)", () => {
  it("lists every unsafe setting in one message and exits before listening", async () => {
    const r = await runScript("scripts/serve.ts", {
      NODE_ENV: "production",
      PUBLIC_BASE_URL: "http://broker.example.com",
      MIXPAY_REQUIRE_HTTPS: "false",
      DEMO_WALLET_ENABLED: "true",
      AUTH_SECRET: "short",
      PORT: "5301",
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain("mixpay-broker cannot start:");
    for (const key of [
      "DATABASE_URL",
      "INNGEST_EVENT_KEY",
      "INNGEST_SIGNING_KEY",
      "MIXIN_KEYSTORE",
      "DEMO_WALLET_ENABLED",
      "PUBLIC_BASE_URL",
      "MIXPAY_REQUIRE_HTTPS",
      "AUTH_SECRET",
    ]) {
      expect(r.out, key).toMatch(new RegExp(`^  ${key}.*: `, "m"));
    }
    expect(r.out).not.toMatch(/listening on/);
  });

  it("refuses a malformed keystore with its reason, never echoing the key", async () => {
    const r = await runScript("scripts/serve.ts", {
      ...SAFE_PRODUCTION,
      MIXIN_KEYSTORE: JSON.stringify({ app_id: "x", session_private_key: "SECRET-VALUE" }),
      PORT: "5302",
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/MIXIN_KEYSTORE is not a valid Mixin keystore/);
    expect(r.out).not.toContain("SECRET-VALUE");
  });

  it("reads its settings from .env (the old server ignored it), and gives up on an unreachable PostgreSQL after STARTUP_DB_WAIT_SECONDS", async () => {
    // Everything a production start needs comes from ./.env; the database is a closed port.
    const dir = workdir(
      dotenvOf({
        ...SAFE_PRODUCTION,
        DATABASE_URL: "postgres://broker:pw@127.0.0.1:1/mixpay",
        STARTUP_DB_WAIT_SECONDS: "2",
        PORT: "5303",
      }),
    );
    const started = Date.now();
    const r = await runScript("scripts/serve.ts", { NODE_ENV: "production" }, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/PostgreSQL at 127\.0\.0\.1:1\/mixpay is not answering .*retrying in 500 ms/);
    expect(r.out).toMatch(
      /mixpay-broker cannot start:\nPostgreSQL at 127\.0\.0\.1:1\/mixpay is unreachable after [2-9] attempt\(s\)/,
    );
    expect(r.out).not.toContain(":pw@"); // the password stays out of the log
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("reads .env in production too for a refusal (an http PUBLIC_BASE_URL set only there)", async () => {
    const dir = workdir(dotenvOf({ ...SAFE_PRODUCTION, PUBLIC_BASE_URL: "http://only-in-dotenv.example" }));
    const r = await runScript("scripts/serve.ts", { NODE_ENV: "production" }, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/PUBLIC_BASE_URL: must be an https:\/\/ URL/);
  });
});

describe("the other entry points read .env", () => {
  it("db:migrate migrates the store .env names (not .data/pglite)", async () => {
    const dir = workdir("PGLITE_DATA_DIR=./store-from-dotenv\n");
    const r = await runScript("scripts/db-migrate.ts", {}, { cwd: dir, timeoutMs: 110_000 });
    expect(r.out).toContain("migrated PGlite at ./store-from-dotenv");
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, "store-from-dotenv", "PG_VERSION"))).toBe(true);
    expect(existsSync(path.join(dir, ".data"))).toBe(false);
  }, 120_000);

  it("db:seed refuses to seed demo data in production", async () => {
    const dir = workdir(dotenvOf(SAFE_PRODUCTION));
    const r = await runScript("scripts/db-seed.ts", { NODE_ENV: "production" }, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/db:seed refuses to seed demo data in production/);
  });
});

describe("demo users in a production store", () => {
  it("refuses the start while the README's demo users exist (preflight's check, on both drivers)", async () => {
    const store = await createTestStore({ seed: false, install: false });
    try {
      await expect(refuseDemoUsers(store.db)).resolves.toBeUndefined();
      await seedDemoUsers(store.db);
      const err = await refuseDemoUsers(store.db).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message).toMatch(
        /demo users operator@demo\.local, merchant@demo\.local exist .*delete from users where email in/,
      );
    } finally {
      await store.cleanup();
    }
  }, 120_000);
});

/** Start the slow-route fixture; resolves with its port and the child. */
async function startSlowServer(graceMs: number) {
  const child = spawn(
    process.execPath,
    [...TSX, path.join(ROOT, "server/startup/fixtures/slow-server.ts"), String(graceMs)],
    { env: { PATH: process.env.PATH ?? "" } as unknown as NodeJS.ProcessEnv },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`fixture did not start: ${out}`)), 15_000);
    child.stdout.on("data", () => {
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return { child, port, exited: exited.finally(() => clearTimeout(kill)), output: () => out };
}

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: p, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

describe("SIGTERM drains (server/startup/drain.ts + stop-signals.ts, as scripts/serve.ts wires them)", () => {
  it("lets a slow request in flight finish, refuses new connections, then exits 0", async () => {
    const s = await startSlowServer(10_000);
    const inFlight = get(s.port, "/slow?ms=1500");
    await new Promise((r) => setTimeout(r, 300));
    s.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    await expect(get(s.port, "/slow?ms=0")).rejects.toThrow(/ECONNREFUSED/);
    await expect(inFlight).resolves.toEqual({ status: 200, body: "done after 1500 ms" });
    expect(await s.exited).toBe(0);
    expect(s.output()).toMatch(
      /SIGTERM: no new connections; waiting up to 10000 ms for 1 request\(s\) in flight[\s\S]*stopped/,
    );
  });

  it("cuts what is still running when the grace period ends, and says so with exit 1", async () => {
    const s = await startSlowServer(500);
    const inFlight = get(s.port, "/slow?ms=10000").catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await inFlight).toBeInstanceOf(Error);
    expect(s.output()).toMatch(/grace period \(500 ms\) ended with requests still in flight/);
  });

  it("exits 0 at once when nothing is in flight", async () => {
    const s = await startSlowServer(30_000);
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
