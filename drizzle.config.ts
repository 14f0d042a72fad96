import { defineConfig } from "drizzle-kit";

// drizzle-kit only generates SQL here; migrations are applied by db/migrate.ts on start
// and by `npm run db:migrate`, with whichever driver db/client.ts picks.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  strict: true,
  verbose: true,
});
