/**
 * Reading request bodies with a cap on the bytes actually read. A declared Content-Length is
 * only a hint (chunked bodies have none, and a client may lie): the stream is read chunk by
 * chunk and cancelled as soon as the count passes the cap, so an oversized body is never
 * buffered in full, whatever its content type.
 */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

export async function readCappedBytes(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    // Refused before reading a byte; cancelling tells the server not to wait for the rest.
    await req.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!req.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = req.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : new Uint8Array(Buffer.concat(chunks));
}

/** The same request with its body already read under the cap (for handlers that read it themselves: tRPC, next-auth). */
export async function withCappedBody(req: Request, limit: number): Promise<Request> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  const bytes = await readCappedBytes(req, limit);
  const headers = new Headers(req.headers);
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return new Request(req.url, {
    method: req.method,
    headers,
    body: bytes.byteLength ? bytes : null,
    signal: req.signal,
  });
}

/** Wrap a route handler so its body is read under the cap first; past it the answer is 413. */
export function capBody<C>(
  limit: number,
  handler: (req: Request, ctx: C) => Promise<Response> | Response,
  tooLarge: () => Response = () =>
    Response.json({ error: "the body is too large" }, { status: 413, headers: { connection: "close" } }),
) {
  return async (req: Request, ctx: C): Promise<Response> => {
    let capped: Request;
    try {
      capped = await withCappedBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return tooLarge();
      throw e;
    }
    return handler(capped, ctx);
  };
}
