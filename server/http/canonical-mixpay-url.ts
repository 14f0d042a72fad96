/**
 * Next's server answers 308 to any URL with `//` or `\` in its path before the proxy runs
 * (base-server.js handleRequestImpl), so proxy.ts never sees `/mixpay//create_order`. The
 * listener (scripts/serve.ts, which stamps the peer headers) must pass each request's URL
 * through this first: for /mixpay paths it collapses repeated slashes and backslashes, and the
 * proxy then answers the envelope as for any other /mixpay path. Other paths are left alone.
 */
export function canonicalMixpayUrl(url: string): string {
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  if (!/[\\/]{2,}|\\/.test(path)) return url;
  const collapsed = path.replace(/[\\/]+/g, "/");
  if (collapsed !== "/mixpay" && !collapsed.startsWith("/mixpay/")) return url;
  return collapsed + (q < 0 ? "" : url.slice(q));
}
