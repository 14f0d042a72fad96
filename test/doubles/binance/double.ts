/**
 * A Binance Pay double for development and tests: a local HTTP server that answers the merchant
 * API the broker calls (create v3, query v2, close, refund, refund query, certificates), checks
 * every request's signature as Binance Pay does (HMAC-SHA512 of `ts\nnonce\nbody\n` with the API
 * secret, upper-case hex), serves a hosted checkout page, and posts notifications signed with its
 * own RSA key (generated at start, served at /binancepay/openapi/certificates). Fault switches make
 * it answer 5xx, stall past the client's timeout, sign webhooks with a wrong key, or never send
 * them. A control API under /_double/ drives it from tests. Never used in production.
 *
 * It deliberately shares no code with the broker's client: a signing bug there must not be
 * mirrored here.
 *
 * As Binance does: refunds answer REFUND_PENDING and succeed later (after `refundSettleMs`, or on
 * the control call /_double/refunds/:id/complete); a commission is charged on every payment and
 * reported in the order query and the PAY notification (the merchant balance is credited net, and a
 * refund gives back its share); an orderExpireTime beyond `maxOrderExpiryMs` (1 h, Binance's
 * documented maximum) is refused.
 *
 * The pieces: ledger.ts and refunds.ts (the state, no HTTP), webhooks.ts (signed notifications),
 * and the routes on hono — routes/merchant-api.ts, routes/control.ts, routes/checkout.ts.
 */
import type { Server } from "node:http";
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import Decimal from "decimal.js";
import { Hono } from "hono";
import { BinancePayLedger } from "./ledger";
import type { DoubleFault, DoubleOrder, DoubleRefund, DoubleWebhook } from "./model";
import { finishRefund } from "./refunds";
import { checkoutRoutes } from "./routes/checkout";
import { controlRoutes } from "./routes/control";
import { merchantApiRoutes } from "./routes/merchant-api";
import { WebhookSender } from "./webhooks";

export type { DoubleFault, DoubleOrder, DoubleOrderStatus, DoubleRefund, DoubleWebhook } from "./model";

export interface BinancePayDoubleOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  secret?: string;
  /** Currencies enabled on the "merchant profile". */
  currencies?: string[];
  /** Requests signed further from the double's clock than this are refused (400003). */
  timestampToleranceMs?: number;
  /**
   * "pending" (the default, as Binance): a refund answers REFUND_PENDING and succeeds after
   * `refundSettleMs` or on /_double/refunds/:id/complete; "immediate": it succeeds at once.
   */
  refundMode?: "immediate" | "pending";
  /** Pending refunds succeed by themselves (with a PAY_REFUND notification) after this long; unset: only on the control call. */
  refundSettleMs?: number;
  /** Binance's fee rate on payments (default 0.001 = 0.1%), reported as `commission`. */
  commissionRate?: string;
  /** The furthest ahead orderExpireTime may be (default 1 h, Binance's documented maximum). */
  maxOrderExpiryMs?: number;
}

export async function startBinancePayDouble(opts: BinancePayDoubleOptions = {}) {
  const apiKey = opts.apiKey ?? `double${randomBytes(12).toString("hex")}`;
  const secret = opts.secret ?? randomBytes(32).toString("hex");
  const ledger = new BinancePayLedger({
    currencies: opts.currencies ?? ["USDT", "BTC", "ETH", "BNB"],
    refundMode: opts.refundMode ?? "pending",
    commissionRate: opts.commissionRate ?? "0.001",
    maxOrderExpiryMs: opts.maxOrderExpiryMs ?? 3_600_000,
  });
  const webhooks = new WebhookSender(ledger);
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = "";

  /** The end user pays; the PAY notification is delivered before this answers. */
  async function pay(
    o: DoubleOrder,
    p: { late?: boolean } = {},
  ): Promise<{ order: DoubleOrder; webhook?: DoubleWebhook; error?: string }> {
    const r = ledger.pay(o, p);
    if (r.error || !r.notice) return { order: r.order, error: r.error };
    return { order: r.order, webhook: await webhooks.send(r.notice) };
  }

  /** A pending refund ends at Binance; `notify: false` loses its notification. */
  async function completeRefund(r: DoubleRefund, fail: boolean, notify: boolean): Promise<DoubleWebhook | undefined> {
    const notice = finishRefund(ledger, r, fail);
    return notify ? webhooks.send(notice) : undefined;
  }

  function refundPending(r: DoubleRefund): void {
    if (opts.refundSettleMs === undefined) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (r.refundStatus === "REFUND_PENDING") void completeRefund(r, false, true);
    }, opts.refundSettleMs);
    t.unref();
    timers.add(t);
  }

  const app = new Hono();
  app.route("/", controlRoutes({ ledger, webhooks, apiKey, pay, completeRefund }));
  app.route(
    "/",
    merchantApiRoutes({
      ledger,
      webhooks,
      apiKey,
      secret,
      toleranceMs: opts.timestampToleranceMs ?? 5_000,
      baseUrl: () => baseUrl,
      refundPending,
    }),
  );
  app.route("/", checkoutRoutes({ ledger, baseUrl: () => baseUrl, pay }));
  app.onError((e, c) => c.json({ error: e.message }, 500));

  let server!: Server;
  const port = await new Promise<number>((resolve) => {
    server = serve(
      { fetch: app.fetch, port: opts.port ?? 0, hostname: opts.host ?? "127.0.0.1", overrideGlobalObjects: false },
      (info) => resolve(info.port),
    ) as Server;
  });
  baseUrl = `http://${opts.host ?? "127.0.0.1"}:${port}`;

  const find = (id: string) => {
    const order = ledger.lookup(id);
    if (!order) throw new Error(`no order ${id} at the double`);
    return order;
  };
  return {
    url: baseUrl,
    port,
    apiKey,
    secret,
    certSerial: webhooks.certSerial,
    /** The order as the double has it (by prepayId, merchantTradeNo or checkout token). */
    order: (id: string) => {
      const o = ledger.lookup(id);
      return o ? { ...ledger.refreshStatus(o) } : undefined;
    },
    orders: () => [...ledger.orders.values()].map((o) => ({ ...ledger.refreshStatus(o) })),
    refunds: () => [...ledger.refunds.values()].map((r) => ({ ...r })),
    webhooks: () => ledger.webhooks.map((w) => ({ ...w })),
    requests: () => ledger.requests.map((r) => ({ ...r })),
    pay: async (id: string, o: { late?: boolean } = {}) => pay(find(id), o),
    resendWebhook: async (id: string, o: { fresh?: boolean } = {}) => webhooks.resend(find(id), o.fresh ?? false),
    /** The user opened the order in the app and is paying: a close is refused now (400204). */
    setPending: (id: string) => {
      find(id).status = "PENDING";
    },
    setRefundMode: (mode: "immediate" | "pending") => {
      ledger.refundMode = mode;
    },
    /** A pending refund succeeds (or fails) at Binance; `notify: false` loses its notification (the reconciler must find it). */
    completeRefund: async (refundRequestId: string, o: { fail?: boolean; notify?: boolean } = {}) => {
      const r = ledger.refunds.get(refundRequestId);
      if (!r) throw new Error(`no refund ${refundRequestId} at the double`);
      return completeRefund(r, o.fail ?? false, o.notify ?? true);
    },
    setFault: (f: DoubleFault) => ledger.faults.push({ ...f }),
    clearFaults: () => {
      ledger.faults = [];
    },
    setBalance: (currency: string, amount: string) => ledger.balances.set(currency, new Decimal(amount)),
    balance: (currency: string) => ledger.balance(currency).toFixed(8),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BinancePayDouble = Awaited<ReturnType<typeof startBinancePayDouble>>;
