import { describe, expect, it } from "vitest";
import { commissionJournal } from "./commission-postings";

const at = new Date("2026-01-01T00:00:00Z");

describe("the wallet's commission in the books", () => {
  const order = {
    id: "00000000-0000-4000-8000-000000000001",
    wallet: "binance",
    walletProvider: "binance",
    assetId: "asset",
  } as Parameters<typeof commissionJournal>[1];

  it("books what the wallet kept on a payment (in time or late) and what a refund gave back", () => {
    for (const to of ["paid", "paid_late"] as const) {
      expect(commissionJournal(to, order, { commission: "0.00252500" }, "wallet:binance", at)).toMatchObject({
        key: `commission:${order.id}`,
        kind: "wallet_commission",
        postings: [
          expect.objectContaining({ account: "wallet_commission", amount: expect.objectContaining({}) }),
          expect.objectContaining({ account: "wallet:binance" }),
        ],
      });
    }
    const back = commissionJournal("refunded", order, { commissionReturned: "0.002525" }, "x", at)!;
    expect(back.key).toBe(`commission:${order.id}:returned`);
    expect(back.postings.map((p) => [p.account, String(p.amount)])).toEqual([
      ["wallet:binance", "0.002525"],
      ["wallet_commission", "-0.002525"],
    ]);
    // Binance's JSON numbers may come as exponent text.
    expect(
      commissionJournal("paid", order, { commission: "2.525E-3" }, "x", at)!.postings.map((p) => String(p.amount)),
    ).toEqual(["0.002525", "-0.002525"]);
  });

  it("books nothing for no commission, zero, or anything that is not a small positive decimal", () => {
    for (const commission of [undefined, "0", "-1", "0.000000001", "1e-9", "abc", { x: 1 }, ""]) {
      expect(commissionJournal("paid", order, { commission }, "x", at)).toBeUndefined();
    }
    expect(commissionJournal("settled", order, { commission: "1" }, "x", at)).toBeUndefined();
  });
});
