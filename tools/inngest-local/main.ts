/**
 * CLI for the local Inngest runner (development and tests only):
 *
 *   INNGEST_LOCAL_PORT=8288 INNGEST_LOCAL_APP_URL=http://127.0.0.1:3000/api/inngest tsx tools/inngest-local/main.ts
 *
 * The app then needs INNGEST_DEV=1 and INNGEST_BASE_URL=http://127.0.0.1:8288.
 */
import { startLocalInngest } from "./runner";

function appUrlFromEnv(env: NodeJS.ProcessEnv): string {
  if (env.INNGEST_LOCAL_APP_URL) return env.INNGEST_LOCAL_APP_URL;
  const port = env.PORT ?? "3000";
  const path = env.INNGEST_SERVE_PATH ?? "/api/inngest";
  return `http://127.0.0.1:${port}${path}`;
}

async function main(): Promise<void> {
  const port = Number(process.env.INNGEST_LOCAL_PORT ?? "8288");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`INNGEST_LOCAL_PORT is not a port: ${process.env.INNGEST_LOCAL_PORT}`);
  const resync = process.env.INNGEST_LOCAL_RESYNC_MS;
  const runner = await startLocalInngest({
    port,
    host: process.env.INNGEST_LOCAL_HOST ?? "127.0.0.1",
    appUrl: appUrlFromEnv(process.env),
    resyncIntervalMs: resync === undefined ? undefined : Number(resync),
  });
  console.log(`[inngest-local] status page ${runner.url}/  runs ${runner.url}/_runs`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[inngest-local] ${signal}: stopping`);
    runner.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error("[inngest-local] failed to start:", err instanceof Error ? err.message : err);
  process.exit(1);
});
