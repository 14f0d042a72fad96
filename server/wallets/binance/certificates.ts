import { createPublicKey, type KeyObject } from "node:crypto";
import type { BinanceCertificate } from "./client";

/**
 * Binance Pay's platform public keys by certSerial (research §4): fetched from the certificates
 * endpoint, cached, and fetched again when a webhook names a serial the cache does not know (a
 * key rotation) or the cache is older than its time to live. Refetches are rate-limited so a
 * flood of forged serials cannot make the broker hammer Binance.
 */
export class BinanceCertificates {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly fetchCertificates: () => Promise<BinanceCertificate[]>,
    private readonly opts: { ttlMs: number; minRefetchMs: number; now?: () => number } = {
      ttlMs: 3_600_000,
      minRefetchMs: 10_000,
    },
  ) {}

  async publicKey(serial: string): Promise<KeyObject | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const stale = now - this.fetchedAt > this.opts.ttlMs;
    const unknown = !this.keys.has(serial) && now - this.fetchedAt >= this.opts.minRefetchMs;
    if (this.fetchedAt === 0 || stale || unknown) await this.refresh();
    return this.keys.get(serial);
  }

  /** How many fetches of the endpoint have happened (for tests and the console). */
  fetches = 0;

  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      try {
        const certs = await this.fetchCertificates();
        this.fetches++;
        const next = new Map<string, KeyObject>();
        for (const c of certs) next.set(c.certSerial, createPublicKey(c.certPublic));
        this.keys = next;
        this.fetchedAt = (this.opts.now ?? Date.now)();
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
