import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, ledgerJournals } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { transitionOrder } from "@/server/orders/transition-order";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { ACCOUNTS } from "./accounts";
import { balanceOf, bookBalances } from "./books";
import { postJournalForSnapshot } from "./snapshot-postings";
import { dailyStatement, statementCsv } from "./statement";
import { labelSuspenseItem, listSuspenseItems } from "./suspense";
import { journalForTransition } from "./transition-postings";

let store: TestStore;
const USDT = DEMO_ASSETS.USDT;
const operator = { id: crypto.randomUUID(), email: "op@example.test" };
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const snap = (amount: string, createdAt = "2026-11-20T09:00:00Z") => ({
  snapshotId: crypto.randomUUID(),
  assetId: USDT,
  amount,
  opponentId: crypto.randomUUID(),
  memoText: "",
  createdAt,
});

describe("postings derived generically", () => {
  it("a status change that moves no money posts nothing, including one added later (created → cancelled)", async () => {
    const o = await insertOrder(store.db);
    for (const [from, to] of [
      ["created", "cancelled"],
      ["created", "expired"],
      ["paid", "settling"],
      ["settling", "settled"],
      ["refunding", "refund_failed"],
    ] as const) {
      expect(journalForTransition(from, to, o, "test")).toBeUndefined();
    }
    await transitionOrder(store.db, { orderId: o.id, from: "created", to: "cancelled", actor: "operator:x" });
    expect(await store.db.select().from(ledgerJournals).where(eq(ledgerJournals.orderId, o.id))).toEqual([]);
  });

  it("paid posts wallet +pay, owed to MixPay −amount, fee income −fee in the same transaction, once", async () => {
    const o = await insertOrder(store.db, { amount: "2", fee: "0.02", payAmount: "2.02" });
    await transitionOrder(store.db, {
      orderId: o.id,
      from: "created",
      to: "paid",
      actor: "wallet:demo",
      patch: { paidAt: new Date() },
    });
    const [j] = await store.db.select().from(ledgerJournals).where(eq(ledgerJournals.orderId, o.id));
    expect(j).toMatchObject({ kind: "order_paid", idempotencyKey: `order:${o.id}:paid` });
    const books = await bookBalances(store.db);
    expect(balanceOf(books, "wallet:demo", USDT)).toBe("2.02000000");
    expect(balanceOf(books, ACCOUNTS.owedMixpay, USDT)).toBe("-2.00000000");
    expect(balanceOf(books, ACCOUNTS.feeIncome, USDT)).toBe("-0.02000000");
  });

  it("an order whose pay_amount is not amount + fee still becomes paid; the gap goes to suspense", async () => {
    const o = await insertOrder(store.db, { assetId: DEMO_ASSETS.BTC, amount: "1", fee: "0.01", payAmount: "1.02" });
    expect(
      (await transitionOrder(store.db, { orderId: o.id, from: "created", to: "paid", actor: "wallet:demo" })).changed,
    ).toBe(true);
    expect(balanceOf(await bookBalances(store.db), ACCOUNTS.suspense, DEMO_ASSETS.BTC)).toBe("-0.01000000");
  });

  it("a snapshot of a kind the books do not know (e.g. quarantined) goes to suspense instead of failing", async () => {
    const s = snap("4.5");
    expect((await postJournalForSnapshot(store.db, s, "quarantined", undefined)).posted).toBe(true);
    expect((await postJournalForSnapshot(store.db, s, "quarantined", undefined)).posted).toBe(false);
    expect(balanceOf(await bookBalances(store.db), ACCOUNTS.suspense, USDT)).toBe("-4.50000000");
  });
});

describe("suspense items and operator labels", () => {
  it("lists the unexplained item; an operator labels it funding, audited, once; the suspense is cleared", async () => {
    const [item] = await listSuspenseItems(store.db);
    expect(item).toMatchObject({ kind: "unexplained", amounts: [{ assetId: USDT, amount: "-4.50000000" }] });
    await expect(
      labelSuspenseItem(store.db, operator, { journalId: item!.journalId, as: "withdrawal", reason: "wrong way" }),
    ).rejects.toThrow(/came in cannot be a withdrawal/);
    await labelSuspenseItem(store.db, operator, {
      journalId: item!.journalId,
      as: "funding",
      reason: "top-up from the treasury wallet",
    });
    await expect(
      labelSuspenseItem(store.db, operator, { journalId: item!.journalId, as: "funding", reason: "again" }),
    ).rejects.toThrow(/already labelled/);
    const books = await bookBalances(store.db);
    expect(balanceOf(books, ACCOUNTS.suspense, USDT)).toBe("0.00000000");
    expect(balanceOf(books, ACCOUNTS.operatorFunding, USDT)).toBe("-4.50000000");
    expect(await listSuspenseItems(store.db)).toEqual([]);
    const [audit] = await store.db.select().from(auditLog).where(eq(auditLog.action, "ledger.label_suspense"));
    expect(audit).toMatchObject({
      actorEmail: "op@example.test",
      targetId: item!.journalId,
      after: expect.objectContaining({ as: "funding", reason: "top-up from the treasury wallet" }),
    });
  });

  it("an outgoing unexplained transfer can be labelled a rebalance to a wallet", async () => {
    await postJournalForSnapshot(store.db, snap("-1.5", "2026-11-21T12:00:00Z"), "other", undefined);
    const [item] = await listSuspenseItems(store.db);
    await expect(
      labelSuspenseItem(store.db, operator, { journalId: item!.journalId, as: "funding", reason: "no" }),
    ).rejects.toThrow(/cannot be funding/);
    await labelSuspenseItem(store.db, operator, {
      journalId: item!.journalId,
      as: "rebalance",
      wallet: "binance",
      reason: "moved to Binance for refunds",
    });
    expect(balanceOf(await bookBalances(store.db), "wallet:binance", USDT)).toBe("1.50000000");
  });
});

describe("daily statement", () => {
  it("opening + inflows − outflows = closing per day and account, and the CSV says the same", async () => {
    const lines = await dailyStatement(store.db, USDT, "2026-11-20", "2026-11-21");
    const bot20 = lines.find((l) => l.day === "2026-11-20" && l.account === "mixin_bot")!;
    expect(bot20).toMatchObject({ opening: "0", inflows: { unexplained: "4.5" }, outflows: {}, closing: "4.5" });
    const bot21 = lines.find((l) => l.day === "2026-11-21" && l.account === "mixin_bot")!;
    expect(bot21).toMatchObject({ opening: "4.5", outflows: { unexplained: "1.5" }, closing: "3" });
    const w21 = lines.find((l) => l.day === "2026-11-21" && l.account === "wallet:binance")!;
    expect(w21).toMatchObject({ opening: "0", inflows: { label: "1.5" }, closing: "1.5" });
    const csv = statementCsv(lines, USDT, "USDT").trim().split("\n");
    expect(csv[0]).toBe("date,asset_id,symbol,account,line,kind,amount");
    expect(csv).toContain(`2026-11-21,${USDT},USDT,mixin_bot,outflow,unexplained,1.5`);
    expect(csv).toContain(`2026-11-21,${USDT},USDT,mixin_bot,closing,,3`);
  });
});
