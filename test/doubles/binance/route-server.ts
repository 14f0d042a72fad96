import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Serve one Next.js route handler (a `(Request) => Promise<Response>` function) over real HTTP on
 * 127.0.0.1, so a double can call the broker's webhook route from tests that run without Next.
 * The handler gets the request's exact bytes.
 */
export async function serveRouteHandler(handler: (req: Request) => Promise<Response>, path: string) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const request = new Request(new URL(req.url ?? "/", "http://127.0.0.1"), {
          method: req.method,
          headers: headersOf(req),
          body: req.method === "GET" ? undefined : Buffer.concat(chunks),
        });
        const response = await handler(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })().catch((e: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end((e as Error).message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function headersOf(req: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  }
  return h;
}
