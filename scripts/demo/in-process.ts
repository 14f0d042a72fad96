/**
 * The demo traffic generator, in process: it drives the broker's real code paths in the order a
 * live broker runs them, against the Mixin emulator (and the Binance Pay double when one is wired):
 *  - MixPay's create_order: the route handler itself (`handleCreateOrder`), with a balance sync
 *    (the sync-balances function's code) fresh before each call, as the 10-second loop keeps it;
 *  - the end user pays: the demo checkout's Pay (`submitDemoCheckout`), or, for orders served by
 *    Binance Pay, the double's checkout, which posts its signed webhook to the broker's route;
 *  - the durable functions: outbox events are relayed (`relayOutbox`) to the same domain steps the
 *    Inngest functions run (settlement in three steps, the end-user refund), the snapshot watcher
 *    (`pollSnapshots`) and the expiry job (`expireDueOrders`) run between arrivals;
 *  - MixPay sends money back: the emulated MixPay bot's RF transfer (`emulator.refund`);
 *  - the ledger's reconciliation pass at the start, once a simulated day and at the end.
 * Time is the process clock (simulated-clock.ts), set to each arrival: nothing here writes a row
 * by hand. Used by the dev history (history.ts) and the week test (week.test.ts).
 */
import { eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { orders, outbox } from "@/db/schema";
import type { BinancePayDouble } from "@/test/doubles/binance/double";
import type { MixinEmulator } from "@/test/doubles/mixin/emulator";
import { brokerDeps } from "@/inngest/deps";
import { syncBalances } from "@/server/balances/sync-balances";
import { reconcileLedger, type ReconcileDeps, type ReconcileResult } from "@/server/ledger/reconcile";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { relayOutbox, type OutgoingEvent } from "@/server/outbox/relay-outbox";
import { refundEndUser } from "@/server/refunds/refund-end-user";
import { beginSettlement, confirmSettlement, sendSettlementTransfer } from "@/server/settlement/settle-order";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import { submitDemoCheckout } from "@/server/wallets/demo-checkout";
import { walletProvider, type WalletProviderKind } from "@/server/wallets/registry";
import { arrivalTimes, createOrderBody, mulberry32, planOrders, type PlannedOrder } from "./plan";
import type { SimulatedClock } from "./simulated-clock";

const ACTOR = "system:demo-traffic";
const MINUTE = 60_000;
/** MixPay's orders last minutes: 15 here. */
const ORDER_LIFETIME_MS = 15 * MINUTE;

export interface InProcessWorld {
  db: Db;
  emulator: MixinEmulator;
  /** Pays orders served by Binance Pay (webhook to the broker's route); absent: every order is the demo wallet's. */
  binance?: BinancePayDouble;
  clock: SimulatedClock;
  reconcile: ReconcileDeps;
}

export interface TrafficOptions {
  seed: number;
  orders: number;
  from: Date;
  to: Date;
  /** Called after each order is created (progress). */
  onOrder?: (s: TrafficSummary) => void;
}

export interface TrafficSummary {
  created: number;
  paid: number;
  paidLate: number;
  settled: number;
  mixpayRefunded: number;
  refunded: number;
  expired: number;
  /** Requests the broker refused or steps that threw, with the reason. */
  errors: string[];
  reconciliations: ReconcileResult[];
  /** Milliseconds spent per kind of step (what the history's start-up time goes to). */
  timings: Record<string, number>;
}

/** A step at a simulated instant; `external`: money came to the bot from outside (the watcher reads it first). */
type Action = { at: number; run: () => Promise<void>; external?: boolean };

export async function generateTraffic(world: InProcessWorld, opts: TrafficOptions): Promise<TrafficSummary> {
  const { db, clock } = world;
  const s: TrafficSummary = {
    created: 0,
    paid: 0,
    paidLate: 0,
    settled: 0,
    mixpayRefunded: 0,
    refunded: 0,
    expired: 0,
    errors: [],
    reconciliations: [],
    timings: {},
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      s.timings[name] = Math.round((s.timings[name] ?? 0) + performance.now() - t0);
    }
  };
  const rnd = mulberry32(opts.seed ^ 0x27d4eb2d);
  const plan = planOrders(opts.seed);
  const queue: Action[] = [];
  const later = (at: number, run: () => Promise<void>, external = false) => queue.push({ at, run, external });

  const reconcile = async () =>
    s.reconciliations.push(await timed("reconcile", () => reconcileLedger(db, world.reconcile, { now: clock.now() })));
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      s.errors.push(`${what}: ${(e as Error).message}`);
    }
  };

  const expire = async () => {
    s.expired += (await timed("expire", () => expireDueOrders(db, clock.now()))).expired.length;
  };
  const poll = async () => {
    const polled = await timed("pollSnapshots", () => pollSnapshots(db, brokerDeps().snapshots));
    s.mixpayRefunded += polled.outcomes.mixpay_refund ?? 0;
  };
  /**
   * What the durable functions and the snapshot watcher do after a step: relay its events to the
   * functions, record the snapshots they caused, until nothing more happens. A transfer that came
   * in from outside (MixPay's refund) is read by the watcher first.
   */
  const background = async (pollFirst: boolean) => {
    if (pollFirst) await poll();
    for (let round = 0, waits = 0; round < 10; round++) {
      const { sent, failed } = await timed("relay+functions", () => relayOutbox(db, (events) => runFunctions(events)));
      if (failed) s.errors.push(`relay: ${failed} events failed`);
      if (sent === 0) {
        // The broker's webhook route dispatches its events itself right after its commit (best
        // effort, to Inngest, which is not there): while that holds the rows' claim, wait for it
        // to give them back rather than leave them for a later step.
        const [unsent] = await db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(isNull(outbox.sentAt));
        if (!unsent?.n || waits++ > 400) break;
        await new Promise((r) => setTimeout(r, 25));
        round--;
        continue;
      }
      await poll();
    }
  };
  const runFunctions = async (events: OutgoingEvent[]) => {
    for (const e of events) {
      const orderId = String(e.data.orderId ?? "");
      if (e.name === "order/paid" || e.name === "order/settle.requested") {
        await attempt(`settle ${orderId}`, async () => {
          if ((await beginSettlement(db, orderId, ACTOR)).done) return;
          await sendSettlementTransfer(db, orderId, brokerDeps().mixin, ACTOR);
          if ((await confirmSettlement(db, orderId, brokerDeps().mixin, brokerDeps().mixpay, ACTOR)) === "settled")
            s.settled++;
        });
      } else if (e.name === "order/refund.requested") {
        await attempt(`refund ${orderId}`, async () => {
          if ((await refundEndUser(db, orderId, (k) => walletProvider(k as WalletProviderKind), ACTOR)) === "refunded")
            s.refunded++;
        });
      }
    }
  };

  const pay = async (orderId: string, late: boolean) => {
    const [o] = await db.select().from(orders).where(eq(orders.id, orderId));
    if (!o) return;
    if (o.walletProvider === "binance" && world.binance) {
      const r = await world.binance.pay(o.walletOrderId!, { late });
      if (r.error || r.webhook?.status !== 200)
        throw new Error(`Binance Pay double: ${r.error ?? `webhook answered ${r.webhook?.status}`}`);
    } else await submitDemoCheckout(db, o.id, "pay", true);
    const [after] = await db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    if (after?.status === "paid_late" || after?.status === "refunding" || after?.status === "refunded") s.paidLate++;
    else s.paid++;
  };

  const create = async (p: PlannedOrder, at: number) => {
    await timed("syncBalances", () => syncBalances(db, brokerDeps().balances));
    const traceId = crypto.randomUUID();
    const expiredAt = at + ORDER_LIFETIME_MS;
    const res = await timed("create_order", () => handleCreateOrder(createOrderRequest(p, traceId, expiredAt)));
    const body = (await res.json()) as { code: number; message: string };
    if (body.code !== 0)
      throw new Error(`create_order ${p.amount} ${p.symbol} (${p.wallet}) answered ${body.code} ${body.message}`);
    s.created++;
    const [o] = await db.select({ id: orders.id }).from(orders).where(eq(orders.traceId, traceId));
    const id = o!.id;
    if (p.fate === "settled") later(at + (0.5 + rnd() * 4.5) * MINUTE, () => pay(id, false));
    if (p.fate === "paid_late") later(expiredAt + (1 + rnd() * 19) * MINUTE, () => pay(id, true));
    if (p.fate === "mixpay_refunded") {
      later(at + (0.5 + rnd() * 4.5) * MINUTE, () => pay(id, false));
      // MixPay could not use the payment (e.g. it arrived after its own deadline) and sends it back.
      later(at + (10 + rnd() * 20) * MINUTE, async () => void world.emulator.refund(traceId, "40025"), true);
    }
  };

  const runDue = async (until: number) => {
    queue.sort((a, b) => a.at - b.at);
    while (queue.length && queue[0]!.at <= until) {
      const a = queue.shift()!;
      clock.set(new Date(a.at));
      await expire();
      await timed("pay/refund", () => attempt("scheduled step", a.run));
      await background(a.external ?? false);
    }
  };

  clock.set(opts.from);
  await syncBalances(db, brokerDeps().balances);
  await reconcile(); // the opening balances, before any traffic
  let day = Math.floor(opts.from.getTime() / (24 * 60 * MINUTE));
  for (const at of arrivalTimes(opts.seed, opts.orders, opts.from, opts.to)) {
    await runDue(at.getTime());
    const today = Math.floor(at.getTime() / (24 * 60 * MINUTE));
    if (today !== day) {
      day = today;
      clock.set(at);
      await reconcile(); // the 5-minute cron, sampled once a simulated day
    }
    clock.set(at);
    const p = plan.next().value as PlannedOrder;
    await expire();
    await attempt(`order ${p.n}`, () => create(p, at.getTime()));
    opts.onOrder?.(s);
  }
  await runDue(Number.MAX_SAFE_INTEGER);
  clock.set(new Date(clock.now().getTime() + ORDER_LIFETIME_MS + MINUTE));
  await expire();
  await background(true);
  await reconcile();
  return s;
}

function createOrderRequest(p: PlannedOrder, traceId: string, expiredAtMs: number): Request {
  return new Request("http://broker.demo/mixpay/create_order", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(createOrderBody(p, traceId, expiredAtMs)),
  });
}
