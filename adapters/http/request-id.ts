const ids = new WeakMap<Request, string>();
const SANE = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request id: the proxy's (or the caller's, when sane), else one made here once per request (routes the proxy skips). */
export function requestIdOf(req: Request): string {
  let id = ids.get(req);
  if (!id) {
    const h = req.headers.get("x-request-id");
    id = h && SANE.test(h) ? h : crypto.randomUUID();
    ids.set(req, id);
  }
  return id;
}
