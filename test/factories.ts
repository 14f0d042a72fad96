import { orders } from "@/db/schema";
import type { Db } from "@/db/client";
import { DEMO_ASSETS } from "@/db/seed";
import { adjustReserved } from "@/server/orders/reservations";
import { isCounted } from "@/server/orders/state-machine";

export type NewOrder = typeof orders.$inferInsert;

/** Insert an order row directly (for tests of what happens after create_order), reserving like create_order. */
export async function insertOrder(db: Db, overrides: Partial<NewOrder> = {}): Promise<typeof orders.$inferSelect> {
  const [o] = await db
    .insert(orders)
    .values({
      traceId: crypto.randomUUID(),
      payeeId: crypto.randomUUID(),
      wallet: "demo",
      assetId: DEMO_ASSETS.USDT,
      amount: "1",
      feeRate: "0.01",
      fee: "0.01",
      payAmount: "1.01",
      memo: "bWVtbw==",
      expiredAt: new Date(Date.now() + 15 * 60_000),
      returnUrl: "https://example.com/return",
      opponentId: crypto.randomUUID(),
      requestHash: "0".repeat(64),
      walletProvider: "demo",
      ...overrides,
    })
    .returning();
  // What createOrder/transitionOrder would have done: a counted order reserves its amount.
  if (isCounted(o!.status)) await adjustReserved(db, o!.assetId, o!.amount);
  return o!;
}
