import { orderFilterSchema, type OrderFilter } from "./order-filters";

/** Read the history filters from a URL's query (the pages' GET form and the CSV link share it). */
export function filterFromSearchParams(
  sp: Record<string, string | string[] | undefined> | URLSearchParams,
): OrderFilter {
  const get = (k: string) => {
    const v = sp instanceof URLSearchParams ? sp.get(k) : sp[k];
    const s = Array.isArray(v) ? v[0] : v;
    return s && s.trim() !== "" ? s.trim() : undefined;
  };
  const parsed = orderFilterSchema.safeParse({
    status: get("status"),
    assetId: get("asset"),
    wallet: get("wallet"),
    from: get("from"),
    to: get("to"),
    q: get("q"),
    payeeId: get("payee"),
  });
  return parsed.success ? parsed.data : {};
}
