import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, assets, auditLog, outbox, payeeAccessEntries } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { env } from "@/server/env";
import { dec } from "@/server/money";
import { createUser, loadSessionUser } from "@/server/auth/users";
import { CSV_COLUMNS, ordersCsv } from "@/server/console/export-orders";
import { scopeOf } from "@/server/console/payee-scope";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import type { Context } from "./init";
import { createCaller } from "./root";

let store: TestStore;
const PAYEE_A = "aaaaaaaa-0000-4000-8000-000000000001";
const PAYEE_B = "bbbbbbbb-0000-4000-8000-000000000002";
let ctx: Record<"anonymous" | "merchantA" | "merchantB" | "operator", Context>;
let orderA: string;
let orderB: string;
let traceB: string;

beforeAll(async () => {
  store = await createTestStore();
  const ids = {
    a: await createUser(store.db, {
      email: "a@example.test",
      password: "pw-a-123456",
      role: "merchant",
      payeeIds: [PAYEE_A],
    }),
    b: await createUser(store.db, {
      email: "b@example.test",
      password: "pw-b-123456",
      role: "merchant",
      payeeIds: [PAYEE_B],
    }),
    op: await createUser(store.db, { email: "op@example.test", password: "pw-op-123456", role: "operator" }),
  };
  const user = async (id: string) => (await loadSessionUser(store.db, id))!;
  ctx = {
    anonymous: { db: store.db, user: null },
    merchantA: { db: store.db, user: await user(ids.a) },
    merchantB: { db: store.db, user: await user(ids.b) },
    operator: { db: store.db, user: await user(ids.op) },
  };
  orderA = (await insertOrder(store.db, { payeeId: PAYEE_A, status: "settlement_failed" })).id;
  const b = await insertOrder(store.db, { payeeId: PAYEE_B });
  orderB = b.id;
  traceB = b.traceId;
});
afterAll(async () => store.cleanup());

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    return e instanceof TRPCError ? e.code : `error:${(e as Error).message}`;
  }
}

type Who = keyof typeof ctx;
const everyone: Who[] = ["anonymous", "merchantA", "merchantB", "operator"];

describe("authorization matrix over every procedure", () => {
  const alertId = () =>
    raiseAlert(store.db, { kind: "t", dedupeKey: `t:${crypto.randomUUID()}`, message: "m" }).then((a) => a.id);
  const cases: [string, (c: ReturnType<typeof createCaller>) => Promise<unknown>, Record<Who, string>][] = [
    [
      "orders.list",
      (c) => c.orders.list({}),
      { anonymous: "UNAUTHORIZED", merchantA: "ok", merchantB: "ok", operator: "ok" },
    ],
    [
      "orders.totals",
      (c) => c.orders.totals({}),
      { anonymous: "UNAUTHORIZED", merchantA: "ok", merchantB: "ok", operator: "ok" },
    ],
    [
      "orders.assets",
      (c) => c.orders.assets(),
      { anonymous: "UNAUTHORIZED", merchantA: "ok", merchantB: "ok", operator: "ok" },
    ],
    [
      "orders.get (A's order)",
      (c) => c.orders.get({ id: orderA }),
      { anonymous: "UNAUTHORIZED", merchantA: "ok", merchantB: "NOT_FOUND", operator: "ok" },
    ],
    [
      "operator.overview",
      (c) => c.operator.overview(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.balances",
      (c) => c.operator.balances(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.updateAsset",
      (c) => c.operator.updateAsset({ assetId: DEMO_ASSETS.USDT, feeRate: "0.02" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setWalletEnabled",
      (c) => c.operator.setWalletEnabled({ name: "binance", enabled: true }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.access",
      (c) => c.operator.access({}),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setAccessMode",
      (c) => c.operator.setAccessMode({ mode: "open" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setAccessEntry",
      (c) => c.operator.setAccessEntry({ payeeId: PAYEE_B, list: "block", present: false }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.alerts",
      (c) => c.operator.alerts(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.acknowledgeAlert",
      async (c) => c.operator.acknowledgeAlert({ id: await alertId() }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.settlementQueue",
      (c) => c.operator.settlementQueue(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.retrySettlements",
      (c) => c.operator.retrySettlements({ orderIds: [orderA] }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.reports",
      (c) => c.operator.reports(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.refunds",
      (c) => c.operator.refunds(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.wallets",
      (c) => c.operator.wallets(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.users",
      (c) => c.operator.users(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.inviteUser",
      (c) => c.operator.inviteUser({ email: `new-${crypto.randomUUID().slice(0, 8)}@example.test`, role: "merchant" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setPayeeLink",
      (c) => c.operator.setPayeeLink({ userId: ctx.merchantB.user!.id, payeeId: PAYEE_B, linked: true }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setUserDisabled",
      (c) => c.operator.setUserDisabled({ userId: ctx.merchantB.user!.id, disabled: false }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    // Each caller gets its own open order: merchants and anonymous are refused before anything changes.
    [
      "operator.cancelOrder",
      async (c) => c.operator.cancelOrder({ orderId: (await insertOrder(store.db, {})).id }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.orderStatuses",
      (c) => c.operator.orderStatuses({ orderIds: [orderA, orderB] }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.setLowBalanceThreshold",
      (c) => c.operator.setLowBalanceThreshold({ assetId: DEMO_ASSETS.BTC, threshold: "0.5" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.awaitingMixPayRefund",
      (c) => c.operator.awaitingMixPayRefund(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "operator.retryRefund",
      (c) => c.operator.retryRefund({ orderId: orderB }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "CONFLICT" },
    ],
    [
      "operator.refundWithoutMixPayRefund",
      (c) => c.operator.refundWithoutMixPayRefund({ orderId: orderB, note: "MixPay ticket 1" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "CONFLICT" },
    ],
    [
      "operator.audit",
      (c) => c.operator.audit(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "treasury.summary",
      (c) => c.treasury.summary(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "treasury.statement",
      (c) => c.treasury.statement({ assetId: DEMO_ASSETS.USDT, from: "2026-11-01", to: "2026-11-07" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    [
      "treasury.suspense",
      (c) => c.treasury.suspense(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
    // No such item: an operator gets past authorization and is told so.
    [
      "treasury.labelSuspense",
      (c) => c.treasury.labelSuspense({ journalId: "999999", as: "funding", reason: "top-up by the operator" }),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "NOT_FOUND" },
    ],
    [
      "treasury.reconcileNow",
      (c) => c.treasury.reconcileNow(),
      { anonymous: "UNAUTHORIZED", merchantA: "FORBIDDEN", merchantB: "FORBIDDEN", operator: "ok" },
    ],
  ];
  for (const [name, call, expected] of cases) {
    it.each(everyone)(`${name} as %s`, async (who) => {
      expect(await outcome(call(createCaller(ctx[who])))).toBe(expected[who]);
    });
  }

  it("covers every procedure of the router", () => {
    const names = new Set(cases.map(([n]) => n.split(" ")[0]));
    const all = [
      ...Object.keys(createCaller(ctx.operator).orders).map((k) => `orders.${k}`),
      ...Object.keys(createCaller(ctx.operator).operator).map((k) => `operator.${k}`),
      ...Object.keys(createCaller(ctx.operator).treasury).map((k) => `treasury.${k}`),
    ];
    expect(all.filter((n) => !names.has(n))).toEqual([]);
  });
});

describe("merchant isolation", () => {
  it("merchant A never reads B's orders: not by id, not by filter, not by search, not in totals", async () => {
    const a = createCaller(ctx.merchantA);
    expect((await a.orders.list({})).items.map((o) => o.id)).toEqual([orderA]);
    expect((await a.orders.list({ filter: { payeeId: PAYEE_B } })).items).toEqual([]);
    expect((await a.orders.list({ filter: { q: traceB } })).items).toEqual([]);
    expect((await a.orders.list({ filter: { q: orderB } })).items).toEqual([]);
    expect((await a.orders.totals({})).reduce((n, t) => n + t.count, 0)).toBe(1);
    expect(await outcome(a.orders.get({ id: orderB }))).toBe("NOT_FOUND");
    const op = createCaller(ctx.operator);
    expect((await op.orders.list({ filter: { q: traceB } })).items.map((o) => o.id)).toEqual([orderB]);
  });

  it("merchant A never exports B's orders: not in the full CSV, not by B's trace_id, not by B's payee filter", async () => {
    const csv = async (who: "merchantA" | "operator", filter: Parameters<typeof ordersCsv>[2]) => {
      let text = "";
      for await (const chunk of ordersCsv(store.db, scopeOf(ctx[who].user!), filter, 1)) text += chunk;
      return text.trim().split("\n");
    };
    const all = await csv("merchantA", {});
    expect(all[0]).toBe(CSV_COLUMNS.join(","));
    expect(all.slice(1).map((l) => l.split(",")[0])).toEqual([orderA]);
    expect(await csv("merchantA", { q: traceB })).toEqual([CSV_COLUMNS.join(",")]);
    expect(await csv("merchantA", { payeeId: PAYEE_B })).toEqual([CSV_COLUMNS.join(",")]);
    // Paged one row at a time, the operator's export still holds every order once.
    const op = (await csv("operator", {})).slice(1).map((l) => l.split(",")[0]);
    expect(op).toEqual(expect.arrayContaining([orderA, orderB]));
    expect(new Set(op).size).toBe(op.length);
  });

  it("a merchant with no linked payee sees nothing", async () => {
    const id = await createUser(store.db, { email: "lonely@example.test", password: "pw-123456", role: "merchant" });
    const c = createCaller({ db: store.db, user: (await loadSessionUser(store.db, id))! });
    expect((await c.orders.list({})).items).toEqual([]);
  });
});

describe("operator actions are audited", () => {
  it("fee change, block, retry and acknowledge each leave before/after in the audit log", async () => {
    const op = createCaller(ctx.operator);
    await op.operator.updateAsset({ assetId: DEMO_ASSETS.ETH, feeRate: "0.015" });
    const [eth] = await store.db.select().from(assets).where(eq(assets.assetId, DEMO_ASSETS.ETH));
    expect(eth!.feeRate).toBe("0.01500000");
    await op.operator.setAccessEntry({ payeeId: PAYEE_B, list: "block", present: true });
    expect(
      await store.db.select().from(payeeAccessEntries).where(eq(payeeAccessEntries.payeeId, PAYEE_B)),
    ).toHaveLength(1);
    const retried = await op.operator.retrySettlements({ orderIds: [orderA, orderB] });
    expect(retried).toMatchObject({ queued: [orderA], skipped: [orderB] });
    expect(
      (await store.db.select().from(outbox)).some(
        (e) => e.name === "order/settle.requested" && (e.data as { orderId: string }).orderId === orderA,
      ),
    ).toBe(true);
    const { id } = await raiseAlert(store.db, { kind: "low_balance", dedupeKey: "low:x", message: "low" });
    await op.operator.acknowledgeAlert({ id });
    expect((await store.db.select().from(alerts).where(eq(alerts.id, id)))[0]!.acknowledgedAt).toBeInstanceOf(Date);
    const actions = (await store.db.select().from(auditLog)).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(["asset.update", "access.block.add", "settlement.retry", "alert.acknowledge"]),
    );
    const [feeRow] = await store.db.select().from(auditLog).where(eq(auditLog.targetId, DEMO_ASSETS.ETH));
    expect(feeRow).toMatchObject({ actorEmail: "op@example.test" });
    expect((feeRow!.before as { feeRate: string }).feeRate).toBe("0.01000000");
    expect((feeRow!.after as { feeRate: string }).feeRate).toBe("0.01500000");
  });
});

describe("users and roles", () => {
  it("an invited merchant signs in with the one-time password, sees only linked payees, and a disabled user is out at once", async () => {
    const op = createCaller(ctx.operator);
    const { id, password } = await op.operator.inviteUser({
      email: "invited@example.test",
      role: "merchant",
      payeeIds: [PAYEE_B],
    });
    const { authenticate } = await import("@/server/auth/users");
    expect(await authenticate(store.db, "invited@example.test", password)).toMatchObject({ id, role: "merchant" });
    const invited = createCaller({ db: store.db, user: (await loadSessionUser(store.db, id))! });
    expect((await invited.orders.list({})).items.map((o) => o.id)).toEqual([orderB]);
    await op.operator.setUserDisabled({ userId: id, disabled: true });
    expect(await loadSessionUser(store.db, id)).toBeNull();
    expect(await authenticate(store.db, "invited@example.test", password)).toBeNull();
    expect(await outcome(op.operator.inviteUser({ email: "invited@example.test", role: "merchant" }))).toBe("CONFLICT");
    expect(await outcome(op.operator.setUserDisabled({ userId: ctx.operator.user!.id, disabled: true }))).toBe(
      "CONFLICT",
    );
  });
});

describe("balances, wallets and the settlement queue", () => {
  it("an edited low-balance threshold is audited with before and after, and shows in balance health", async () => {
    const op = createCaller(ctx.operator);
    await op.operator.setLowBalanceThreshold({ assetId: DEMO_ASSETS.USDT, threshold: "1000000" });
    const usdt = (await op.operator.balances()).find((b) => b.assetId === DEMO_ASSETS.USDT)!;
    expect(usdt).toMatchObject({ lowBalanceThreshold: "1000000.00000000", low: true });
    expect(usdt.available).toBe(dec(usdt.balance).minus(dec(usdt.reserved)).toFixed());
    await op.operator.setLowBalanceThreshold({ assetId: DEMO_ASSETS.USDT, threshold: null });
    expect((await op.operator.balances()).find((b) => b.assetId === DEMO_ASSETS.USDT)).toMatchObject({
      lowBalanceThreshold: null,
      low: false,
    });
    const rows = (await store.db.select().from(auditLog).where(eq(auditLog.targetId, DEMO_ASSETS.USDT))).filter(
      (r) => r.action === "asset.update",
    );
    expect(rows.map((r) => (r.after as { lowBalanceThreshold: string | null }).lowBalanceThreshold)).toEqual(
      expect.arrayContaining(["1000000.00000000", null]),
    );
    expect(await outcome(op.operator.setLowBalanceThreshold({ assetId: DEMO_ASSETS.USDT, threshold: "-1" }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("wallets list every row with its provider; order statuses report the queue's progress", async () => {
    const op = createCaller(ctx.operator);
    const wallets = await op.operator.wallets();
    expect(wallets.length).toBeGreaterThan(0);
    for (const w of wallets) expect(typeof w.provider).toBe("string");
    // Without Binance Pay keys the binance wallet is served by the demo checkout, and the page says so.
    const binance = wallets.find((w) => w.name === "binance");
    expect(binance).toMatchObject({ provider: "binance", servedBy: env().binancePayConfigured ? "binance" : "demo" });
    expect(wallets.find((w) => w.name === "demo")).toMatchObject({
      servedBy: "demo",
      servedBySummary: expect.stringContaining("Demo wallet"),
    });
    const statuses = await op.operator.orderStatuses({ orderIds: [orderA, orderB] });
    expect(new Map(statuses.map((s) => [s.id, s.status]))).toEqual(
      new Map([
        [orderA, "settlement_failed"],
        [orderB, "created"],
      ]),
    );
    expect((await op.operator.settlementQueue()).map((q) => q.id)).toContain(orderA);
  });

  it("unlinking a payee takes its orders away from the merchant at once", async () => {
    const op = createCaller(ctx.operator);
    const id = await createUser(store.db, { email: "link@example.test", password: "pw-123456", role: "merchant" });
    await op.operator.setPayeeLink({ userId: id, payeeId: PAYEE_A, linked: true });
    const as = async () => createCaller({ db: store.db, user: (await loadSessionUser(store.db, id))! });
    expect((await (await as()).orders.list({})).items.map((o) => o.id)).toEqual([orderA]);
    await op.operator.setPayeeLink({ userId: id, payeeId: PAYEE_A, linked: false });
    expect((await (await as()).orders.list({})).items).toEqual([]);
    expect((await op.operator.users()).find((u) => u.id === id)?.payeeIds).toEqual([]);
  });
});
