import ipaddr from "ipaddr.js";

/**
 * Who may call the MixPay routes, and over what. MixPay does not sign its requests, so the spec's
 * HTTPS rule and an optional allow-list of source addresses are the broker's only transport checks.
 *
 * The broker's own HTTP server (scripts/serve.ts) stamps every request with the socket's peer
 * address and whether it arrived over TLS, after deleting any client-sent copies of those
 * headers. X-Forwarded-Proto / X-Forwarded-For are believed only when that peer is a configured
 * trusted proxy. Without the stamp (some other server in front of Next), the checks fail closed.
 */
export const PEER_ADDR_HEADER = "x-broker-peer-addr";
export const PEER_TLS_HEADER = "x-broker-peer-tls";

export interface TransportPolicy {
  requireHttps: boolean;
  /** IPs or CIDRs of proxies whose forwarding headers are believed. */
  trustedProxies: string[];
  /** When non-empty, only these IPs/CIDRs may call. */
  allowedSources: string[];
}

export type TransportVerdict = { ok: true; clientAddr?: string; secure: boolean } | { ok: false; reason: string };

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parsed once per list: the settings are read once per process, and judgeTransport runs on every MixPay call. */
const parsed = new WeakMap<string[], Range[]>();
function parseRanges(list: string[]): Range[] {
  let ranges = parsed.get(list);
  if (!ranges) parsed.set(list, (ranges = parseRangesNow(list)));
  return ranges;
}

function parseRangesNow(list: string[]): Range[] {
  return list.map((entry) => {
    if (entry.includes("/")) {
      const [addr, bits] = ipaddr.parseCIDR(entry);
      return [normalize(addr), addr.kind() === "ipv6" && normalize(addr).kind() === "ipv4" ? bits - 96 : bits];
    }
    const addr = normalize(ipaddr.parse(entry));
    return [addr, addr.kind() === "ipv4" ? 32 : 128];
  });
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1, as Node reports IPv4 peers on dual-stack sockets) → IPv4. */
function normalize(a: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

function inRanges(addr: string, ranges: Range[]): boolean {
  if (!ipaddr.isValid(addr)) return false;
  const a = normalize(ipaddr.parse(addr));
  return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

/** Validate the configured lists once at start-up: a typo must not silently open or close the door. */
export function assertValidRanges(list: string[], setting: string): void {
  for (const entry of list) {
    const ok = entry.includes("/") ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry);
    if (!ok) throw new Error(`${setting}: "${entry}" is not an IP address or CIDR range`);
  }
}

export function judgeTransport(headers: Headers, policy: TransportPolicy): TransportVerdict {
  const checking = policy.requireHttps || policy.allowedSources.length > 0;
  const peer = headers.get(PEER_ADDR_HEADER)?.trim();
  if (!peer) {
    if (checking)
      return { ok: false, reason: "the broker cannot see how this request arrived (serve it with `npm start`)" };
    return { ok: true, secure: false };
  }
  const trusted = parseRanges(policy.trustedProxies);
  const viaProxy = inRanges(peer, trusted);

  let clientAddr = peer;
  let secure = headers.get(PEER_TLS_HEADER) === "1";
  if (viaProxy) {
    // Walk X-Forwarded-For from the right, skipping our own proxies: the first other hop is the client.
    const hops = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      clientAddr = hop;
      if (!inRanges(hop, trusted)) break;
    }
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto) secure = proto === "https";
  }

  if (policy.requireHttps && !secure) return { ok: false, reason: "HTTPS is required" };
  if (policy.allowedSources.length > 0 && !inRanges(clientAddr, parseRanges(policy.allowedSources))) {
    return { ok: false, reason: "this source address may not call the broker" };
  }
  return { ok: true, clientAddr, secure };
}
