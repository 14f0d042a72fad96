/**
 * The floor: a bare node:http server answering GET /mixpay/assets/range with the very function
 * the Next.js route exports (handleAssetsRange: transport check, parameters, the catalog cache,
 * the one balances statement, metrics, access line), on the same production settings, and no
 * web framework. Its throughput is what the broker could reach if Next.js cost nothing.
 *   started by bench/mixpay-load.ts with the broker's settings (bench/lib.ts brokerEnv)
 */
import { createServer } from "node:http";
import { handleAssetsRange } from "../adapters/mixpay-http/handlers";
import { PEER_ADDR_HEADER, PEER_TLS_HEADER } from "../adapters/http/transport";

const port = Number(process.env.PORT ?? 4090);

createServer((req, res) => {
  const path = req.url ?? "/";
  if (path === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end('{"ok":true}');
  }
  // What scripts/serve.ts stamps before Next sees the request.
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  headers.set(PEER_ADDR_HEADER, req.socket.remoteAddress ?? "");
  headers.set(PEER_TLS_HEADER, "0");
  const request = new Request(`http://127.0.0.1:${port}${path}`, { method: req.method, headers });
  void handleAssetsRange(request).then(async (answer) => {
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(await answer.text());
  });
}).listen(port, "127.0.0.1", () => console.log(`floor on ${port}`));
