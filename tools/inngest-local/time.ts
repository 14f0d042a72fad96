import { createHash, randomBytes } from "node:crypto";
import { ulid as makeUlid } from "ulid";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses an Inngest time string such as "300ms", "1.5h" or "2h45m" into milliseconds. */
export function parseTimeString(s: string): number | undefined {
  const src = s.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/.test(src)) return undefined;
  let total = 0;
  for (const m of src.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return total;
}

/**
 * The instant a Sleep op ends: its value is either a time string (`step.sleep`) or an
 * ISO date (`step.sleepUntil`), relative to `now`.
 */
export function sleepUntil(value: string, now: number): number {
  const ms = parseTimeString(value);
  if (ms !== undefined) return now + ms;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new Error(`cannot read sleep duration "${value}"`);
  return at;
}

/** A PRNG over fixed bytes, so the random part of a ULID can be derived instead of drawn. */
function bytesPrng(bytes: Buffer): () => number {
  let i = 0;
  return () => bytes[i++ % bytes.length]! / 256;
}

/** A ULID, the id format Inngest uses for runs and events (sortable by time). */
export function ulid(now: number = Date.now()): string {
  return makeUlid(now, bytesPrng(randomBytes(16)));
}

/**
 * The id of the `index`-th event of a send that carried `x-inngest-event-id-seed`.
 * The SDK sends the same seed when it retries a send, so a retried send maps to the
 * same ids and does not trigger functions twice.
 */
export function seededEventId(seed: string, index: number): string {
  const [millisRaw] = seed.split(",");
  const millis = Number(millisRaw);
  const digest = createHash("sha256").update(`${seed}#${index}`).digest();
  return makeUlid(Number.isFinite(millis) && millis > 0 ? millis : 0, bytesPrng(digest));
}
