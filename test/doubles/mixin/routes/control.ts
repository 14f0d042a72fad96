/**
 * The emulator's control API for tests and by-hand demos (/_emulator/*): state, fault switches,
 * the clock, top-ups, incoming transfers, MixPay refunds and a reset. Open (no session token).
 */
import Decimal from "decimal.js";
import { Hono } from "hono";
import type { Fault, FaultSwitches } from "../faults";
import { bodyJson, type EmulatorEnv } from "../http";
import type { MixinLedger } from "../ledger";
import { EMULATED_MIXPAY_BOT } from "../model";

export interface ControlDeps {
  ledger: MixinLedger;
  faults: FaultSwitches;
  /** The log of requests seen (emptied by a reset). */
  seen: string[];
}

export function controlRoutes({ ledger, faults, seen }: ControlDeps) {
  const app = new Hono<EmulatorEnv>().basePath("/_emulator");
  const body = <T>(c: Parameters<typeof bodyJson>[0]) => (bodyJson(c) ?? {}) as T;

  app.get("/messages", (c) => c.json(ledger.messages(), 200));
  app.get("/state", (c) =>
    c.json(
      {
        bot: ledger.bot,
        mixpayBot: EMULATED_MIXPAY_BOT,
        balances: Object.fromEntries([...ledger.assets.keys()].map((id) => [id, ledger.balance(id)])),
        settlements: ledger.settlements(),
        snapshots: ledger.snapshots().length,
        transactions: ledger.tx.list().length,
        faults: faults.list,
      },
      200,
    ),
  );
  app.get("/settlements", (c) => c.json(ledger.settlements(), 200));
  app.get("/keystore", (c) => c.json(ledger.keystore, 200));

  app.post("/refund", (c) => {
    const { trace_id, code } = body<{ trace_id?: string; code?: string }>(c);
    try {
      return c.json(ledger.refund(String(trace_id), code), 200);
    } catch (e) {
      return c.json({ error: (e as Error).message }, 404);
    }
  });
  app.post("/receive", (c) => {
    // Any Mixin user can send the bot any amount with any memo bytes: the control route for it.
    const b = body<{ asset_id?: string; amount?: string; memo?: string; memo_hex?: string; from?: string }>(c);
    if (!b.asset_id || !ledger.assets.has(b.asset_id)) return c.json({ error: "asset_id must be a known asset" }, 400);
    if (!b.amount || !/^\d+(\.\d{1,8})?$/.test(b.amount) || new Decimal(b.amount).lte(0))
      return c.json({ error: "amount must be a positive decimal with at most 8 places" }, 400);
    if (b.memo_hex !== undefined && !/^([0-9a-fA-F]{2})*$/.test(b.memo_hex))
      return c.json({ error: "memo_hex must be hex bytes" }, 400);
    return c.json(
      ledger.receive({ assetId: b.asset_id, amount: b.amount, memo: b.memo, memoHex: b.memo_hex, from: b.from }),
      200,
    );
  });
  app.post("/clock", (c) => {
    const b = body<{ frozen?: boolean; spend_delay_ms?: number }>(c);
    if (b.frozen !== undefined) ledger.frozen = b.frozen === true;
    if (typeof b.spend_delay_ms === "number" && b.spend_delay_ms >= 0) ledger.tx.spendDelayMs = b.spend_delay_ms;
    return c.json({ frozen: ledger.frozen, spendDelayMs: ledger.tx.spendDelayMs }, 200);
  });
  app.post("/top-up", (c) => {
    const { asset_id, amount } = body<{ asset_id?: string; amount?: string }>(c);
    ledger.topUp(String(asset_id), String(amount));
    return c.json({ balance: ledger.balance(String(asset_id)) }, 200);
  });
  app.post("/faults", (c) => {
    faults.add(bodyJson(c) as Fault);
    return c.json(faults.list, 200);
  });
  app.delete("/faults", (c) => {
    faults.clear();
    return c.json(faults.list, 200);
  });
  app.post("/reset", (c) => {
    ledger.seed();
    faults.clear();
    seen.length = 0;
    ledger.tx.posted = [];
    return c.json({ ok: true }, 200);
  });
  return app;
}
