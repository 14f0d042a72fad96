/**
 * `npm run user:create -- --role operator --email you@example.com [--password …] [--payee <uuid> …]`
 * Creates a console user (the first operator comes from here). Without --password a random one is
 * generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { openDb } from "../db/client";
import { createUser } from "../server/auth/users";
import { loadDotEnv } from "../server/config/load-dotenv";
import { env } from "../server/env";

const { values } = parseArgs({
  options: {
    role: { type: "string" },
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    payee: { type: "string", multiple: true },
  },
});
const input = z
  .object({
    role: z.enum(["operator", "merchant"]),
    email: z.email(),
    password: z.string().min(12).optional(),
    name: z.string().optional(),
    payee: z.array(z.uuid()).optional(),
  })
  .safeParse(values);
if (!input.success) {
  console.error(
    `usage: npm run user:create -- --role operator|merchant --email you@example.com [--password at-least-12-chars] [--payee <uuid>]\n${input.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`,
  );
  process.exit(2);
}
loadDotEnv();
const e = env();
const handle = openDb({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, poolSize: 1 });
await handle.migrate();
const password = input.data.password ?? randomBytes(12).toString("base64url");
try {
  const id = await createUser(handle.db, {
    email: input.data.email,
    password,
    role: input.data.role,
    name: input.data.name,
    payeeIds: input.data.payee,
  });
  console.log(
    `created ${input.data.role} ${input.data.email} (${id})${input.data.password ? "" : `\npassword: ${password}`}`,
  );
} catch (err) {
  console.error(`could not create the user: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
