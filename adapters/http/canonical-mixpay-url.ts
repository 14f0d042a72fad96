/**
 * Next's server answers 308 to any URL with `//` or `\` in its path before the proxy runs
 * (base-server.js handleRequestImpl), so proxy.ts never sees `/mixpay//create_order`. The
 * listener (scripts/serve.ts, which stamps the peer headers) must pass each request's URL
 * through this first: for /mixpay paths it collapses repeated slashes and backslashes, and the
 * proxy then answers the envelope as for any other /mixpay path; dot segments (`..`, `%2e`)
 * become an unknown /mixpay path (404 envelope). Other paths are left alone.
 */
export function canonicalMixpayUrl(url: string): string {
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  const collapsed = path.replace(/[\\/]+/g, "/");
  if (collapsed !== "/mixpay" && !collapsed.startsWith("/mixpay/")) return url;
  // Dot segments would be resolved to a path outside /mixpay before the proxy sees it: an unknown MixPay path instead.
  if (collapsed.split("/").some((seg) => /^(\.|%2e){1,2}$/i.test(seg)))
    return `/mixpay/invalid-path${q < 0 ? "" : url.slice(q)}`;
  if (collapsed === path) return url;
  return collapsed + (q < 0 ? "" : url.slice(q));
}

/**
 * Methods undici refuses to put in a Request (Next answers them 500 text/plain before any app
 * code): the listener should answer these itself, e.g. 405 with the envelope under /mixpay.
 */
export const FETCH_FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
