/**
 * Runs a command (the vitest suite) against the PostgreSQL server: creates a fresh, migrated
 * template database for this run, passes its name to the tests (each test file clones it), and
 * drops it and its clones afterwards.
 *   tsx scripts/with-pg-test-db.ts vitest run
 */
import { spawn } from "node:child_process";
import { openDb } from "@/db/client";
import { createFreshDatabase, dropDatabases, TEST_PG_ADMIN_URL } from "@/test/support/fresh-database";

async function main(): Promise<number> {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) throw new Error("usage: with-pg-test-db <command> [args…]");
  let template;
  try {
    template = await createFreshDatabase({ prefix: "mixpay_test" });
  } catch (e) {
    console.error(`PostgreSQL at ${TEST_PG_ADMIN_URL} did not create a database: ${(e as Error).message}`);
    console.error("Start it, or set TEST_PG_ADMIN_URL to a server where the tests may create databases.");
    return 2;
  }
  try {
    const h = openDb({ databaseUrl: template.url, poolSize: 1 });
    await h.migrate();
    await h.close();

    return await new Promise<number>((resolve) => {
      const child = spawn(cmd, args, {
        stdio: "inherit",
        shell: false,
        env: {
          ...process.env,
          TEST_PG_TEMPLATE: template.name,
          TEST_PG_ADMIN_URL,
          PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}`,
        },
      });
      child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0)));
    });
  } finally {
    // The template and every per-file clone (named after it) a crashed test file left behind.
    await dropDatabases({ clonesOf: template.name });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
