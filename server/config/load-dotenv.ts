import nextEnv from "@next/env";

/**
 * Loads `.env` files into process.env exactly as Next.js does inside its server
 * (`.env.$NODE_ENV.local`, `.env.local` — not in test —, `.env.$NODE_ENV`, `.env`; a variable already
 * in the environment wins), so every entry point (the server, `npm run dev`, db:migrate, db:seed,
 * user:create) sees the same configuration before it is parsed. Next reads the files again later in
 * its own server; that finds the same values. Call it once, first, before `env()`.
 */
export function loadDotEnv(dir: string = process.cwd()): void {
  const dev = process.env.NODE_ENV !== "production";
  // Quiet: Next's logger would print "Environments: .env" to stdout of every script.
  const quiet = { info: () => {}, error: (...args: unknown[]) => console.error(...args) };
  nextEnv.loadEnvConfig(dir, dev, quiet);
}
