/**
 * The part of Mixin's API the broker's bot calls through the SDK: /me, Safe outputs, assets,
 * ghost keys, transaction requests and transactions, snapshots, messages. The session token is
 * checked before these routes (emulator.ts); the ledger does the work.
 */
import { Hono } from "hono";
import { ok, bodyJson, mixinError, type EmulatorEnv } from "../http";
import type { MixinLedger } from "../ledger";
import { MixinRefusal, assetView } from "../model";

const prefixed = (path: string, prefix: string) => path.slice(prefix.length);

export function botApiRoutes(ledger: MixinLedger, opts: { hasSafe: boolean }) {
  const app = new Hono<EmulatorEnv>();
  const bot = ledger.bot;
  const me = (c: Parameters<typeof ok>[0]) =>
    ok(c, { user_id: bot, type: "user", has_safe: opts.hasSafe, app_id: bot });
  app.get("/me", me);
  app.get("/safe/me", me);

  app.get("/safe/outputs", (c) => {
    const offset = Number(c.req.query("offset") ?? "0");
    const limit = Math.min(500, Number(c.req.query("limit") ?? "500"));
    return ok(c, ledger.outputs({ asset: c.req.query("asset"), state: c.req.query("state"), offset, limit }));
  });

  app.post("/safe/assets/fetch", (c) => {
    const ids = (bodyJson(c) as string[]) ?? [];
    return ok(
      c,
      ids.filter((id) => ledger.assets.has(id)).map((id) => assetView(id, ledger.assets.get(id)!)),
    );
  });
  // Everything after the prefix is the id (as Mixin's router: an unknown id is "Not found.").
  app.get("/safe/assets/:id{.*}", (c) => {
    const id = prefixed(c.req.path, "/safe/assets/");
    const a = ledger.assets.get(id);
    return a ? ok(c, assetView(id, a)) : mixinError(c, 404, "Not found.");
  });

  app.post("/safe/keys", (c) =>
    ok(c, ledger.ghostKeys((bodyJson(c) as { receivers: string[]; index: number; hint: string }[]) ?? [])),
  );

  app.post("/safe/transaction/requests", (c) =>
    refusing(c, () => ledger.tx.request((bodyJson(c) as { raw: string; request_id: string }[]) ?? [])),
  );
  app.post("/safe/transactions", (c) =>
    refusing(c, () => ledger.tx.send((bodyJson(c) as { raw: string; request_id: string }[]) ?? [])),
  );
  app.get("/safe/transactions/:id{.*}", (c) => {
    const tx = ledger.tx.view(prefixed(c.req.path, "/safe/transactions/"));
    return tx ? ok(c, tx) : mixinError(c, 404, "Not found.");
  });

  app.get("/safe/snapshots", (c) => {
    const limit = Math.min(500, Number(c.req.query("limit") ?? "500"));
    return ok(c, ledger.snapshotPage({ offset: c.req.query("offset") ?? "", limit, asset: c.req.query("asset") }));
  });

  app.post("/messages", (c) => {
    type Message = { message_id: string; recipient_id: string; data_base64: string };
    const list = bodyJson(c) as Message[] | Message;
    ledger.recordMessages(Array.isArray(list) ? list : [list]);
    return ok(c, []);
  });
  return app;
}

/** Mixin's refusals (a MixinRefusal from the ledger) answer in Mixin's shape; anything else is a 500. */
function refusing(c: Parameters<typeof ok>[0], work: () => unknown) {
  try {
    return ok(c, work());
  } catch (e) {
    if (e instanceof MixinRefusal) return mixinError(c, e.mixinCode, e.message);
    throw e;
  }
}
