/**
 * The world of the adversarial property test: a migrated store, the Mixin emulator (with its
 * emulated MixPay), a recording demo wallet, the actions anyone can take, and the invariants.
 *
 * The invariants (./money-invariants.ts), checked after every action:
 *   I1 never two Mixin transfers for one trace_id;
 *   I2 per asset, `available` never exceeds what the bot really holds on Mixin minus what it still owes;
 *   I3 no end-user refund without a payment;
 *   I4 no order refunded more than its end user paid;
 *   I5 an order whose amount left for its opponent is refunded to its end user only if that
 *      opponent sent the whole amount back (MixPay's refund), never for a forged or dust memo;
 * and at the end of a run, after the broker's own loops are drained with the faults cleared:
 *   I6 every snapshot of the bot is recorded (classified, or quarantined with an alert);
 *   I7 every order ended settled, refunded, expired, cancelled or failed, or has an open alert.
 */
import Decimal from "decimal.js";
import { eq, sql } from "drizzle-orm";
import { orders } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { DEMO_ASSETS, seedDemoData } from "@/db/seed";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { brokerDeps } from "@/inngest/deps";
import { syncBalances } from "@/server/balances/sync-balances";
import { refundMemoBase64 } from "@/server/mixin/memo";
import { handleCreateOrder } from "@/adapters/mixpay-http/handlers";
import { applyPaymentNotice } from "@/server/orders/apply-payment-notice";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { refundEndUser } from "@/server/refunds/refund-end-user";
import { cancelOrderByOperator } from "@/server/console/cancel-order";
import {
  beginSettlement,
  confirmSettlement,
  markSettlementFailed,
  sendSettlementTransfer,
} from "@/server/settlement/settle-order";
import { pollSnapshots } from "@/server/snapshots/poll-snapshots";
import { DemoWallet } from "@/server/wallets/demo";
import type { WalletRefundRequest, WalletRefundResult } from "@/server/wallets/port";
import { setWalletProvider } from "@/server/wallets/registry";
import { pointBrokerAtEmulator } from "@/test/emulator";
import { createBody, createRequest } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import type { Action } from "./money-actions";

const ATTACKER = "6f1c7d2a-8b3e-4f5a-9c0d-1e2f3a4b5c6d";
export const ASSETS = [DEMO_ASSETS.USDT, DEMO_ASSETS.BTC] as const;
export const ACTOR = "test:property";
const OPERATOR = { id: "0e0e0e0e-0000-4000-8000-00000000000f", email: "operator@property.test" };

/** A wallet that keeps every refund it paid, idempotent by request id as real wallets are. */
class RecordingWallet extends DemoWallet {
  paid = new Map<string, { orderId: string; amount: string }>();
  refuseNext = 0;
  async refund(req: WalletRefundRequest): Promise<WalletRefundResult> {
    if (this.paid.has(req.refundRequestId))
      return { status: "succeeded", providerRefundId: `rec-${req.refundRequestId}` };
    if (this.refuseNext > 0) {
      this.refuseNext--;
      return { status: "failed", error: "the wallet refused the refund (property test)" };
    }
    this.paid.set(req.refundRequestId, { orderId: req.orderId, amount: req.amount });
    return { status: "succeeded", providerRefundId: `rec-${req.refundRequestId}` };
  }
}

interface RunOrder {
  id: string;
  traceId: string;
  assetId: string;
  amount: string;
  opponentId: string;
}

export interface Run {
  world: World;
  orders: RunOrder[];
  /** Per trace: what the order's own opponent sent back to the bot with an RF memo for it. */
  returnedByOpponent: Map<string, Decimal>;
}

export interface World {
  store: TestStore;
  emu: MixinEmulator;
  wallet: RecordingWallet;
  stats: { actions: number; runs: number };
  beginRun(): Promise<Run>;
  close(): Promise<void>;
}

export async function openWorld(): Promise<World> {
  const store = await createTestStore();
  const emu = await startMixinEmulator({ balances: { [DEMO_ASSETS.USDT]: "60", [DEMO_ASSETS.BTC]: "40" } });
  pointBrokerAtEmulator(emu, { MIXIN_TIMEOUT_MS: "600" });
  const wallet = new RecordingWallet("http://broker.test", true);
  setWalletProvider("demo", wallet);
  const world: World = {
    store,
    emu,
    wallet,
    stats: { actions: 0, runs: 0 },
    async beginRun() {
      world.stats.runs++;
      emu.clearFaults();
      await fetch(new URL("/_emulator/reset", emu.url), { method: "POST" });
      await wipeStore(store);
      wallet.paid.clear();
      wallet.refuseNext = 0;
      await syncBalances(store.db, brokerDeps().balances);
      return { world, orders: [], returnedByOpponent: new Map() };
    },
    async close() {
      setWalletProvider("demo", undefined);
      await emu.close();
      await store.cleanup();
    },
  };
  return world;
}

/** Every table but the migrations', emptied, then the demo catalog seeded again: runs never share state. */
async function wipeStore(store: TestStore): Promise<void> {
  const rows = (await store.db.execute(sql`select tablename from pg_tables where schemaname = 'public'`)) as unknown as
    | { tablename: string }[]
    | { rows: { tablename: string }[] };
  const names = (Array.isArray(rows) ? rows : rows.rows).map((r) => `"${r.tablename}"`);
  // The books refuse TRUNCATE (append-only): between runs only, with triggers off for this transaction.
  if (names.length)
    await store.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql.raw(`truncate ${names.join(", ")} cascade`));
    });
  await seedDemoData(store.db);
}

const pick = (run: Run, i: number): RunOrder | undefined =>
  run.orders.length ? run.orders[i % run.orders.length] : undefined;
export const statusOf = async (run: Run, id: string): Promise<OrderStatus> =>
  (await run.world.store.db.select({ s: orders.status }).from(orders).where(eq(orders.id, id)))[0]!.s;
const amountOf = (cents: number, asset: 0 | 1) => new Decimal(cents).div(asset === 0 ? 100 : 10_000).toFixed();
/** What an expected failure looks like: the broker's refusals, Mixin's faults. Anything else is a bug. */
export const tolerate = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof Error)) throw e;
  }
};

const FAULT_PATTERNS: Record<Extract<Action, { t: "fault" }>["target"], string> = {
  transfer: "^POST /safe/transactions$",
  request: "^POST /safe/transaction/requests$",
  outputs: "^GET /safe/outputs",
  snapshots: "^GET /safe/snapshots",
  result: "^GET /v1/payments_result",
};

export async function runAction(run: Run, a: Action): Promise<void> {
  const { store, emu, wallet } = run.world;
  const db = store.db;
  run.world.stats.actions++;
  switch (a.t) {
    case "create": {
      const body = createBody({
        asset_id: ASSETS[a.asset],
        amount: amountOf(a.cents, a.asset),
        opponent_id: a.attacker ? ATTACKER : EMULATED_MIXPAY_BOT,
        expired_at: String(Math.floor(Date.now() / 1000) + 900),
      });
      const res = (await (await handleCreateOrder(createRequest(body))).json()) as { code: number };
      if (res.code === 0) {
        const [o] = await db
          .select()
          .from(orders)
          .where(eq(orders.traceId, String(body.trace_id)));
        run.orders.push({
          id: o!.id,
          traceId: o!.traceId,
          assetId: o!.assetId,
          amount: o!.amount,
          opponentId: o!.opponentId,
        });
      }
      return;
    }
    case "pay": {
      const o = pick(run, a.i);
      if (!o) return;
      const [row] = await db.select().from(orders).where(eq(orders.id, o.id));
      if (!row?.walletOrderId) return;
      const paidAt = a.late ? new Date(row.expiredAt.getTime() + 1000) : new Date();
      await tolerate(() =>
        applyPaymentNotice(db, {
          walletProvider: "demo",
          notice: { walletOrderId: row.walletOrderId!, status: "paid", paidAt },
          actor: ACTOR,
        }),
      );
      return;
    }
    case "walletCancel": {
      const o = pick(run, a.i);
      if (!o) return;
      await tolerate(() =>
        applyPaymentNotice(db, {
          walletProvider: "demo",
          notice: { walletOrderId: o.id, status: "closed" },
          actor: ACTOR,
        }),
      );
      return;
    }
    case "operatorCancel": {
      const o = pick(run, a.i);
      if (!o) return;
      await tolerate(() => cancelOrderByOperator(db, OPERATOR, o.id, { walletProvider: () => wallet }));
      return;
    }
    case "expireAll":
      await expireDueOrders(db, new Date(Date.now() + 86_400_000));
      return;
    case "settle": {
      const o = pick(run, a.i);
      if (!o) return;
      await settleSteps(run, o.id, a.steps);
      return;
    }
    case "retriesExhausted": {
      const o = pick(run, a.i);
      if (!o || (await statusOf(run, o.id)) !== "settling") return;
      await tolerate(() => markSettlementFailed(db, o.id, "retries exhausted (property test)", ACTOR));
      return;
    }
    case "fault":
      emu.setFault({ pattern: FAULT_PATTERNS[a.target], mode: a.mode, count: a.count, delayMs: 800 });
      return;
    case "sync":
      if (a.outage) emu.setFault({ pattern: "^GET /safe/outputs", mode: "500", count: 1 });
      await tolerate(() => syncBalances(db, brokerDeps().balances));
      return;
    case "mixpayRefund": {
      const o = pick(run, a.i);
      if (!o || o.opponentId !== EMULATED_MIXPAY_BOT || !emu.settlements().some((s) => s.traceId === o.traceId)) return;
      emu.refund(o.traceId, "40025");
      credit(run, o.traceId, o.amount);
      return;
    }
    case "topUp":
      emu.topUp(ASSETS[a.asset], amountOf(a.cents, a.asset));
      return;
    case "stranger": {
      const o = pick(run, a.i);
      const trace = o?.traceId ?? crypto.randomUUID();
      const from = a.from === "attacker" ? ATTACKER : a.from === "mixpay" ? EMULATED_MIXPAY_BOT : "";
      const assetId =
        a.memo === "rf-wrong-asset"
          ? o?.assetId === DEMO_ASSETS.USDT
            ? DEMO_ASSETS.BTC
            : DEMO_ASSETS.USDT
          : (o?.assetId ?? DEMO_ASSETS.USDT);
      const amount = a.memo === "rf-exact" && o ? o.amount : "0.00000001";
      const memo =
        a.memo === "garbled"
          ? `RF|${trace.slice(0, 20)}|\u0007\uFFFD`
          : a.memo === "plain"
            ? "thanks"
            : refundMemoBase64(trace, "40025");
      // A NUL byte inside an otherwise valid refund memo: raw bytes, as any Mixin user can send.
      const memoHex =
        a.memo === "nul"
          ? Buffer.concat([Buffer.from(`RF|${trace}|`), Buffer.from([0]), Buffer.from("40025")]).toString("hex")
          : undefined;
      emu.receive({ assetId, amount, ...(memoHex ? { memoHex } : { memo }), from });
      if (
        o &&
        a.memo !== "garbled" &&
        a.memo !== "nul" &&
        a.memo !== "plain" &&
        from === o.opponentId &&
        assetId === o.assetId
      )
        credit(run, trace, amount);
      return;
    }
    case "poll":
      await tolerate(() => pollSnapshots(db, brokerDeps().snapshots, { mixpay: brokerDeps().mixpay }));
      return;
    case "refund": {
      const o = pick(run, a.i);
      if (!o) return;
      const s = await statusOf(run, o.id);
      if (!["mixpay_refunded", "paid_late", "refund_failed", "refunding"].includes(s)) return;
      await tolerate(() => refundEndUser(db, o.id, () => wallet, ACTOR));
      return;
    }
    case "walletRefuses":
      wallet.refuseNext = a.count;
      return;
  }
}

function credit(run: Run, trace: string, amount: string) {
  run.returnedByOpponent.set(trace, (run.returnedByOpponent.get(trace) ?? new Decimal(0)).plus(amount));
}

/** The settle-order function's steps, stopped after `steps` of them (a crash between any two). */
export async function settleSteps(run: Run, orderId: string, steps: 1 | 2 | 3): Promise<void> {
  const db = run.world.store.db;
  const s = await statusOf(run, orderId);
  if (!["paid", "settling", "settlement_failed"].includes(s)) return;
  const deps = brokerDeps();
  try {
    const begun = await beginSettlement(db, orderId, ACTOR);
    if (begun.done || steps < 2) return;
    await sendSettlementTransfer(db, orderId, deps.mixin, ACTOR);
    if (steps < 3) return;
    // No waiting for a refund that MixPay (which does not know the attacker's trace) will never send.
    await confirmSettlement(db, orderId, deps.mixin, deps.mixpay, ACTOR, { unknownTraceWaitMs: 0 });
  } catch (e) {
    if (process.env.PROPERTY_DEBUG) console.error("settle", orderId, (e as Error).message);
    if (!(e instanceof Error)) throw e;
  }
}
