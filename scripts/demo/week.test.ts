import Decimal from "decimal.js";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as binanceWebhookRoute } from "@/app/api/webhooks/binance/route";
import { alerts, ledgerJournals, orders } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { startBinancePayDouble, type BinancePayDouble } from "@/test/doubles/binance/double";
import { serveRouteHandler } from "@/test/doubles/binance/route-server";
import { startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { brokerDeps } from "@/inngest/deps";
import { resetEnvCache } from "@/server/env";
import { ACCOUNTS } from "@/server/ledger/accounts";
import { balanceOf, bookBalances } from "@/server/ledger/books";
import { reconcileLedger, type ReconcileDeps } from "@/server/ledger/reconcile";
import { walletBalanceSources } from "@/server/ledger/wallet-balance-sources";
import { pointBrokerAtEmulator } from "@/test/emulator";
import { injectLostSnapshot, injectStrayTransfer, injectWalletOffByOne } from "@/test/ledger-injections";
import { createTestStore, type TestStore } from "@/test/store";
import { generateTraffic, type TrafficSummary } from "./in-process";
import { installSimulatedClock, type SimulatedClock } from "./simulated-clock";

/*
 * Issue 13, "what must be shown": a week of simulated traffic through the real code paths (the
 * demo generator: create_order's handler, the demo checkout and the Binance Pay double's webhook,
 * settlement over the Mixin emulator, MixPay's refunds from the emulated MixPay bot, end-user
 * refunds, expiry, paid late) reconciles with zero unexplained difference; then a stray transfer,
 * a lost snapshot and a wallet balance off by one unit are each flagged within one pass, with the
 * alert naming the cause. Runs on both drivers: the simulated week starts at the real time and
 * runs forward (PostgreSQL's now() does not follow the process clock; see simulated-clock.ts).
 */
const ORDERS = 210;
const DAY = 24 * 3_600_000;
let store: TestStore;
let emu: MixinEmulator;
let binance: BinancePayDouble;
let webhook: Awaited<ReturnType<typeof serveRouteHandler>>;
let clock: SimulatedClock;
let deps: ReconcileDeps;
let week: TrafficSummary;
const saved = { ...process.env };
const USDT = DEMO_ASSETS.USDT;

beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  // Refunds succeed at once (Binance's pending refunds are covered in the adapter's own tests).
  binance = await startBinancePayDouble({ refundMode: "immediate" });
  webhook = await serveRouteHandler(binanceWebhookRoute, "/api/webhooks/binance");
  pointBrokerAtEmulator(emu, {
    PUBLIC_BASE_URL: "https://broker.example",
    BINANCE_PAY_API_KEY: binance.apiKey,
    BINANCE_PAY_SECRET: binance.secret,
    BINANCE_PAY_BASE_URL: binance.url,
    BINANCE_PAY_WEBHOOK_URL: webhook.url,
    BINANCE_PAY_TIMEOUT_MS: "5000",
  });
  clock = installSimulatedClock(new Date());
  deps = { balances: brokerDeps().balances, snapshots: brokerDeps().snapshots, wallets: walletBalanceSources() };
}, 60_000);
afterAll(async () => {
  clock?.restore();
  process.env = saved;
  resetEnvCache();
  await webhook?.close();
  await binance?.close();
  await emu?.close();
  await store?.cleanup();
});

const reconcile = () => {
  clock.advance(60_000);
  return reconcileLedger(store.db, deps, { now: clock.now() });
};
const alertsOfKind = (kind: string) => store.db.select().from(alerts).where(eq(alerts.kind, kind));

describe("a simulated week of demo traffic", () => {
  it("goes through every story on both wallets and reconciles with zero unexplained difference", {
    timeout: 180_000,
  }, async () => {
    const from = new Date(clock.now().getTime() + 60_000);
    week = await generateTraffic(
      { db: store.db, emulator: emu, binance, clock, reconcile: deps },
      { seed: 13, orders: ORDERS, from, to: new Date(from.getTime() + 7 * DAY) },
    );
    expect(week.errors).toEqual([]);
    expect(week.created).toBe(ORDERS);
    // Every story happened, on both wallets and all three assets.
    for (const n of [week.settled, week.expired, week.paidLate, week.mixpayRefunded, week.refunded])
      expect(n).toBeGreaterThan(0);
    expect(week.refunded).toBe(week.paidLate + week.mixpayRefunded);
    const rows = await store.db
      .select({ status: orders.status, provider: orders.walletProvider, asset: orders.assetId, paidAt: orders.paidAt })
      .from(orders);
    expect(new Set(rows.map((r) => r.provider))).toEqual(new Set(["demo", "binance"]));
    expect(new Set(rows.map((r) => r.asset))).toEqual(new Set(Object.values(DEMO_ASSETS)));
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["settled", "expired", "refunded"]));
    // Spread over the seven simulated days.
    const paidDays = new Set(rows.filter((r) => r.paidAt).map((r) => r.paidAt!.toISOString().slice(0, 10)));
    expect(paidDays.size).toBeGreaterThanOrEqual(7);

    // Every pass after the opening one: nothing unexplained, nothing lost, reservations agree.
    const passes = week.reconciliations.slice(1);
    expect(passes.length).toBeGreaterThanOrEqual(7);
    for (const r of passes) {
      expect(r.checks.filter((c) => c.difference !== "0")).toEqual([]);
      expect({
        lost: r.lostSnapshots,
        doubly: r.doublyMatchedSnapshots,
        reservations: r.reservations,
        suspense: r.newSuspenseItems,
      }).toEqual({ lost: [], doubly: [], reservations: [], suspense: 0 });
    }
    expect(week.reconciliations.at(-1)!.checks.map((c) => c.account)).toContain("wallet:binance");
    const books = await bookBalances(store.db);
    for (const asset of Object.values(DEMO_ASSETS)) {
      expect(new Decimal(balanceOf(books, ACCOUNTS.suspense, asset)).isZero()).toBe(true);
      expect(new Decimal(balanceOf(books, ACCOUNTS.owedEndUsers, asset)).isZero()).toBe(true);
      expect(new Decimal(balanceOf(books, ACCOUNTS.owedMixpay, asset)).isZero()).toBe(true);
      expect(new Decimal(balanceOf(books, ACCOUNTS.mixinBot, asset)).eq(emu.balance(asset))).toBe(true);
    }
    // Binance's commission is booked (the wallet side reconciles against the double's balance).
    expect(new Decimal(balanceOf(books, ACCOUNTS.walletCommission, USDT)).gt(0)).toBe(true);
    expect(new Decimal(balanceOf(books, "wallet:binance", USDT)).eq(binance.balance("USDT"))).toBe(true);
    expect(await store.db.select().from(alerts)).toEqual([]);
  });

  it("flags a stray transfer in one pass, naming its snapshot", async () => {
    const stray = injectStrayTransfer(emu, USDT);
    const r = await reconcile();
    expect(r.newSuspenseItems).toBe(1);
    expect(r.checks.every((c) => c.difference === "0")).toBe(true);
    expect((await alertsOfKind("ledger_unexplained")).map((a) => a.message)).toEqual([
      expect.stringContaining(`Mixin snapshot ${stray.snapshot_id}`),
    ]);
  });

  it("flags a lost snapshot in one pass, naming it", async () => {
    const lost = await injectLostSnapshot(store.db, emu, DEMO_ASSETS.ETH, "0.01");
    const r = await reconcile();
    expect(r.lostSnapshots).toEqual([lost.snapshot_id]);
    const [alert] = await alertsOfKind("ledger_snapshot_lost");
    expect(alert!.message).toContain(lost.snapshot_id);
    expect(r.checks.every((c) => c.difference === "0")).toBe(true);
    const [journal] = await store.db
      .select()
      .from(ledgerJournals)
      .where(eq(ledgerJournals.snapshotId, lost.snapshot_id));
    expect(journal!.kind).toBe("unexplained");
  });

  it("flags a wallet balance off by one unit in one pass, naming the wallet and asset", async () => {
    await injectWalletOffByOne(store.db, binance, USDT, "USDT");
    const r = await reconcile();
    expect(r.checks.filter((c) => c.difference !== "0")).toEqual([
      expect.objectContaining({ account: "wallet:binance", assetId: USDT, difference: "0.00000001" }),
    ]);
    expect((await alertsOfKind("ledger_unexplained")).map((a) => a.message)).toContainEqual(
      expect.stringMatching(/wallet:binance USDT .*0\.00000001 unexplained/),
    );
    expect((await reconcile()).checks.every((c) => c.difference === "0")).toBe(true);
  });
});
