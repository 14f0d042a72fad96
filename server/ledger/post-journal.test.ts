import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerEntries, ledgerJournals } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { createTestStore, type TestStore } from "@/test/store";
import { ACCOUNTS } from "./accounts";
import { postJournal } from "./post-journal";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore({ seed: false });
});
afterAll(async () => {
  await store.cleanup();
});

const USDT = DEMO_ASSETS.USDT;
const BTC = DEMO_ASSETS.BTC;
const at = new Date("2026-11-20T10:00:00Z");

/** The message of the error a failed statement or commit raised, whichever driver wrapped it. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const parts: string[] = [];
    for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) parts.push(String((c as Error).message ?? c));
    return parts.join(" | ");
  }
  throw new Error("the database accepted it");
}

describe("the books in the database", () => {
  it("posts a balanced journal once per idempotency key", async () => {
    const j = {
      key: "test:once",
      kind: "opening" as const,
      actor: "test",
      occurredAt: at,
      postings: [
        { account: ACCOUNTS.mixinBot, assetId: USDT, amount: "10.5" },
        { account: ACCOUNTS.operatorFunding, assetId: USDT, amount: "-10.5" },
      ],
    };
    expect((await postJournal(store.db, j)).posted).toBe(true);
    expect((await postJournal(store.db, j)).posted).toBe(false);
    const rows = await store.db.select().from(ledgerJournals).where(eq(ledgerJournals.idempotencyKey, "test:once"));
    expect(rows).toHaveLength(1);
    const entries = await store.db.select().from(ledgerEntries).where(eq(ledgerEntries.journalId, rows[0]!.id));
    expect(entries.map((e) => e.amount).sort()).toEqual(["-10.50000000", "10.50000000"]);
  });

  it("refuses a journal that does not balance per asset, even written by hand SQL", async () => {
    const msg = await refusal(
      store.db.transaction(async (tx) => {
        const [j] = await tx
          .insert(ledgerJournals)
          .values({ idempotencyKey: "test:unbalanced", kind: "opening", actor: "test", occurredAt: at })
          .returning();
        await tx.insert(ledgerEntries).values([
          { journalId: j!.id, account: "mixin_bot", assetId: USDT, amount: "5", occurredAt: at },
          { journalId: j!.id, account: "operator_funding", assetId: USDT, amount: "-4.99999999", occurredAt: at },
        ]);
      }),
    );
    expect(msg).toMatch(/does not balance/);
    expect(
      await store.db.select().from(ledgerJournals).where(eq(ledgerJournals.idempotencyKey, "test:unbalanced")),
    ).toHaveLength(0);
  });

  it("refuses a journal balanced in total but not per asset, and one with a single entry", async () => {
    const crossAsset = await refusal(
      store.db.transaction(async (tx) => {
        const [j] = await tx
          .insert(ledgerJournals)
          .values({ idempotencyKey: "test:cross", kind: "opening", actor: "test", occurredAt: at })
          .returning();
        await tx.insert(ledgerEntries).values([
          { journalId: j!.id, account: "mixin_bot", assetId: USDT, amount: "1", occurredAt: at },
          { journalId: j!.id, account: "operator_funding", assetId: BTC, amount: "-1", occurredAt: at },
        ]);
      }),
    );
    expect(crossAsset).toMatch(/does not balance/);
    const lonely = await refusal(
      store.db.transaction(async (tx) => {
        await tx
          .insert(ledgerJournals)
          .values({ idempotencyKey: "test:lonely", kind: "opening", actor: "test", occurredAt: at });
      }),
    );
    expect(lonely).toMatch(/at least two/);
  });

  it("refuses an unknown account name", async () => {
    const msg = await refusal(
      postJournal(store.db, {
        key: "test:bad-account",
        kind: "opening",
        actor: "test",
        occurredAt: at,
        postings: [
          { account: "petty_cash" as never, assetId: USDT, amount: "1" },
          { account: ACCOUNTS.operatorFunding, assetId: USDT, amount: "-1" },
        ],
      }),
    );
    expect(msg).toMatch(/ledger_entries_account_name/);
  });

  it("refuses UPDATE, DELETE and TRUNCATE of entries and journals", async () => {
    const [entry] = await store.db.select().from(ledgerEntries).limit(1);
    expect(
      await refusal(store.db.update(ledgerEntries).set({ amount: "999" }).where(eq(ledgerEntries.id, entry!.id))),
    ).toMatch(/append-only/);
    expect(await refusal(store.db.delete(ledgerEntries).where(eq(ledgerEntries.id, entry!.id)))).toMatch(/append-only/);
    expect(await refusal(store.db.update(ledgerJournals).set({ memo: "edited" }))).toMatch(/append-only/);
    expect(await refusal(store.db.delete(ledgerJournals))).toMatch(/append-only/);
    expect(await refusal(store.db.execute(sql`truncate ledger_entries, ledger_journals`))).toMatch(/append-only/);
    const [still] = await store.db.select().from(ledgerEntries).where(eq(ledgerEntries.id, entry!.id));
    expect(still!.amount).toBe(entry!.amount);
  });
});
