/**
 * Runs a command (the vitest suite) against the PostgreSQL server: creates a fresh, migrated
 * template database for this run, passes its name to the tests (each test file clones it), and
 * drops it and its clones afterwards.
 *   tsx scripts/with-pg-test-db.ts vitest run
 */
import { spawn } from "node:child_process";
import postgres from "postgres";
import { openDb } from "@/db/client";

const adminUrl = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const template = `mixpay_test_${Date.now().toString(36)}_${process.pid}`;

async function main(): Promise<number> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (e) {
    console.error(`PostgreSQL is not reachable at ${adminUrl}: ${(e as Error).message}`);
    console.error("Start it, or set TEST_PG_ADMIN_URL to a server where the tests may create databases.");
    return 2;
  }
  await admin.unsafe(`create database "${template}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const h = openDb({ databaseUrl: url.toString(), poolSize: 1 });
  await h.migrate();
  await h.close();

  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) throw new Error("usage: with-pg-test-db <command> [args…]");
  const code = await new Promise<number>((resolve) => {
    const child = spawn(cmd, args, {
      stdio: "inherit",
      shell: false,
      env: { ...process.env, TEST_PG_TEMPLATE: template, TEST_PG_ADMIN_URL: adminUrl, PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` },
    });
    child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0)));
  });

  const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${template + "%"}`;
  for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
  await admin.end();
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
