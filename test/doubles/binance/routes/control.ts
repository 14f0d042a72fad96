/**
 * The double's control API for tests and by-hand demos (/_double/*): its whole state, an order,
 * the end user paying (or opening the order in the app), notifications sent again, fault
 * switches, merchant balances, the refund mode, and pending refunds ending.
 */
import Decimal from "decimal.js";
import { Hono } from "hono";
import type { BinancePayLedger } from "../ledger";
import type { DoubleFault, DoubleOrder, DoubleRefund, DoubleWebhook } from "../model";
import type { WebhookSender } from "../webhooks";

export interface ControlDeps {
  ledger: BinancePayLedger;
  webhooks: WebhookSender;
  apiKey: string;
  pay(o: DoubleOrder, opts: { late?: boolean }): Promise<unknown>;
  completeRefund(r: DoubleRefund, fail: boolean, notify: boolean): Promise<DoubleWebhook | undefined>;
}

export function controlRoutes({ ledger, webhooks, apiKey, pay, completeRefund }: ControlDeps) {
  const app = new Hono<{ Variables: { input: Record<string, unknown> } }>().basePath("/_double");

  // Every control call's body is JSON (or empty); malformed JSON is a 500, as before.
  app.use(async (c, next) => {
    const raw = await c.req.text();
    c.set("input", raw ? (JSON.parse(raw) as Record<string, unknown>) : {});
    await next();
  });

  app.get("/state", (c) =>
    c.json(
      {
        apiKey,
        certSerial: webhooks.certSerial,
        orders: [...ledger.orders.values()].map((o) => ledger.refreshStatus(o)),
        refunds: [...ledger.refunds.values()],
        webhooks: ledger.webhooks,
        requests: ledger.requests,
        faults: ledger.faults,
        balances: ledger.balancesView(),
      },
      200,
    ),
  );

  app.get("/orders/:id", (c) => {
    const o = ledger.lookup(c.req.param("id"));
    return o ? c.json(ledger.refreshStatus(o), 200) : c.json({ error: "no such order" }, 404);
  });
  app.post("/orders/:id/:action{pay|pending|webhook}", async (c) => {
    const o = ledger.lookup(c.req.param("id"));
    if (!o) return c.json({ error: "no such order" }, 404);
    const input = c.get("input");
    const action = c.req.param("action");
    if (action === "pay") return c.json(await pay(o, { late: input.late === true }), 200);
    if (action === "pending") {
      o.status = "PENDING";
      return c.json(o, 200);
    }
    const again = await webhooks.resend(o, input.fresh === true);
    return again ? c.json(again, 200) : c.json({ error: "no notification was sent for this order" }, 404);
  });

  app.post("/faults", (c) => {
    ledger.faults.push(c.get("input") as unknown as DoubleFault);
    return c.json(ledger.faults, 200);
  });
  app.delete("/faults", (c) => {
    ledger.faults = [];
    return c.json(ledger.faults, 200);
  });
  app.post("/balances", (c) => {
    const input = c.get("input");
    ledger.balances.set(String(input.currency), new Decimal(String(input.amount)));
    return c.json(ledger.balancesView(), 200);
  });
  app.post("/refund-mode", (c) => {
    ledger.refundMode = c.get("input").mode === "pending" ? "pending" : "immediate";
    return c.json({ refundMode: ledger.refundMode }, 200);
  });
  app.post("/refunds/:id/complete", async (c) => {
    const r = ledger.refunds.get(c.req.param("id"));
    if (!r) return c.json({ error: "no such refund" }, 404);
    const input = c.get("input");
    const webhook = await completeRefund(r, input.fail === true, input.notify !== false);
    return c.json({ refund: r, webhook }, 200);
  });

  app.all("/:rest{.*}", (c) => c.json({ error: `no control route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
