/**
 * Runs once when the server starts: validate the configuration and migrate (and, on the embedded
 * default, seed) the store before the first request, so a bad setting fails the start, not a call.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/server/env");
  env();
  const { getDb } = await import("@/db");
  await getDb();
}
