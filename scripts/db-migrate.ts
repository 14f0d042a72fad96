/** `npm run db:migrate`: apply pending migrations to the configured store (PGlite or PostgreSQL). */
import { openDb } from "../db/client";
import { loadDotEnv } from "../server/config/load-dotenv";
import { env } from "../server/env";

loadDotEnv();
const e = env();
const handle = openDb({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, poolSize: 1 });
await handle.migrate();
await handle.close();
console.log(`migrated ${handle.driver === "postgres" ? "PostgreSQL" : `PGlite at ${e.PGLITE_DATA_DIR}`}`);
