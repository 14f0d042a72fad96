import type { Drainer } from "./drain";

export interface StopOptions {
  /** The server's drainer, once it listens (undefined while still starting: then exit at once). */
  drainer: () => Drainer | undefined;
  graceMs: () => number;
  /** Close what is left after the drain (Next, the store); bounded to 5 s. */
  close: () => Promise<unknown>;
  log?: (message: string) => void;
  exit?: (code: number) => never;
}

/**
 * SIGTERM / SIGINT: stop accepting, let requests in flight finish for up to the grace period, close
 * the rest, then exit 0 — or 1 when requests had to be cut. A second signal exits at once (an
 * operator pressing Ctrl-C twice). Used by scripts/serve.ts; tested through a real process.
 */
export function exitOnStopSignals(opts: StopOptions): void {
  const log = opts.log ?? ((m: string) => console.log(m));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      exit(1);
    }
    stopping = true;
    const drainer = opts.drainer();
    if (!drainer) exit(0);
    const grace = opts.graceMs();
    log(`${signal}: no new connections; waiting up to ${grace} ms for ${drainer!.inFlight} request(s) in flight`);
    const drained = await drainer!.drain(grace);
    if (!drained) log(`shutdown: the grace period (${grace} ms) ended with requests still in flight; they were cut`);
    await Promise.race([opts.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000).unref())]);
    log("stopped");
    exit(drained ? 0 : 1);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
