/**
 * The floor: a bare node:http server answering GET /mixpay/assets/range with the same domain
 * code and PostgreSQL queries as the broker (getAssetsRange on drizzle + postgres.js), and no web
 * framework. Its throughput is what the broker could reach if Next.js cost nothing.
 *   DATABASE_URL=… PORT=4090 tsx bench/floor-server.ts
 */
import { createServer } from "node:http";
import { openDb } from "../db/client";
import { getAssetsRange } from "../server/orders/get-assets-range";

const handle = openDb({ databaseUrl: process.env.DATABASE_URL!, poolSize: 20 });
const port = Number(process.env.PORT ?? 4090);
const json = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
};

createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://floor");
  if (url.pathname === "/health") return json(res, 200, { ok: true });
  if (url.pathname !== "/mixpay/assets/range") return json(res, 404, { code: 11000, success: false, message: "not found", data: [] });
  getAssetsRange(handle.db, { payeeId: url.searchParams.get("payee_id") ?? "", wallet: url.searchParams.get("wallet") ?? "" }).then(
    (data) => json(res, 200, { code: 0, success: true, message: "", data }),
    () => json(res, 200, { code: 11002, success: false, message: "This payment is unavailable.", data: [] }),
  );
}).listen(port, "127.0.0.1", () => console.log(`floor on ${port}`));
