/** `npm run db:seed`: migrate, then add the demo wallets, assets, balances and access policy (idempotent). */
import { openDb } from "../db/client";
import { seedDemoData } from "../db/seed";
import { env } from "../server/env";

const e = env();
const handle = openDb({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.PGLITE_DATA_DIR, poolSize: 1 });
await handle.migrate();
await seedDemoData(handle.db);
await handle.close();
console.log("seeded the demo data");
