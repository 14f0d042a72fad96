import type { Server } from "node:http";

/**
 * Graceful stop for a node:http(s) server: count requests in flight; on drain stop accepting,
 * close idle keep-alive connections, tell busy ones to close after their response, wait until
 * nothing is in flight or the grace period ends, then cut what is left.
 */
export interface Drainer {
  readonly inFlight: number;
  /** Resolves true when every request finished inside graceMs, false when some were cut. */
  drain(graceMs: number): Promise<boolean>;
}

export function trackRequests(server: Server): Drainer {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  server.on("request", (_req, res) => {
    inFlight++;
    if (draining && !res.headersSent) res.setHeader("connection", "close");
    res.on("close", () => {
      inFlight--;
      if (!draining) return;
      server.closeIdleConnections();
      if (inFlight === 0) idle?.();
    });
  });
  return {
    get inFlight() {
      return inFlight;
    },
    async drain(graceMs) {
      draining = true;
      server.close();
      server.closeIdleConnections();
      const drained =
        inFlight === 0 ||
        (await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), graceMs);
          idle = () => {
            clearTimeout(timer);
            resolve(true);
          };
        }));
      server.closeAllConnections();
      return drained;
    },
  };
}
