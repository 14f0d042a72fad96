/** `npm run db:seed`: migrate, then add the demo wallets, assets, balances and access policy (idempotent). */
import { openDb } from "../db/client";
import { seedDemoData } from "../db/seed";
import { loadDotEnv } from "../server/config/load-dotenv";
import { env } from "../server/env";
import { inUnsafeTestMode } from "../server/config/production-refusals";

loadDotEnv();
const e = env();
// Demo users have passwords published in the README; demo balances are fiction.
if (e.NODE_ENV === "production" && !inUnsafeTestMode(process.env)) {
  console.error("db:seed refuses to seed demo data in production (NODE_ENV=production)");
  process.exit(1);
}
const handle = openDb({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, poolSize: 1 });
await handle.migrate();
await seedDemoData(handle.db);
await handle.close();
console.log("seeded the demo data");
