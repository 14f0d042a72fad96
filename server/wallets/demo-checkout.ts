import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, orderEvents, orders } from "@/db/schema";
import { applyPaymentNotice, type NoticeOutcome } from "@/server/orders/apply-payment-notice";
import type { Order } from "@/server/orders/transition-order";
import { AppError, AppErrorCode } from "@/server/errors";

/** What the demo wallet's hosted checkout page shows. */
export interface DemoCheckoutView {
  order: Order;
  assetSymbol: string;
  events: (typeof orderEvents.$inferSelect)[];
}

export async function getDemoCheckout(db: Db, orderId: string): Promise<DemoCheckoutView | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(orderId)) return undefined;
  const [row] = await db
    .select({ order: orders, assetSymbol: assets.symbol })
    .from(orders)
    .innerJoin(assets, eq(assets.assetId, orders.assetId))
    .where(eq(orders.id, orderId));
  if (!row || row.order.walletProvider !== "demo") return undefined;
  const events = await db
    .select()
    .from(orderEvents)
    .where(eq(orderEvents.orderId, orderId))
    .orderBy(asc(orderEvents.id));
  return { order: row.order, assetSymbol: row.assetSymbol, events };
}

/**
 * The demo wallet's "Pay" and "Cancel" buttons. They go through applyPaymentNotice, the same path
 * a real wallet's verified webhook takes, with the demo wallet as the actor.
 */
export async function submitDemoCheckout(
  db: Db,
  orderId: string,
  action: "pay" | "cancel",
  enabled: boolean,
  now = new Date(),
): Promise<{ outcome: NoticeOutcome; order: Order }> {
  if (!enabled) throw new AppError(AppErrorCode.FORBIDDEN, "the demo wallet is disabled");
  const view = await getDemoCheckout(db, orderId);
  if (!view) throw new AppError(AppErrorCode.NOT_FOUND, "no such demo payment");
  return applyPaymentNotice(db, {
    walletProvider: "demo",
    actor: "wallet:demo",
    now,
    notice: {
      walletOrderId: view.order.walletOrderId ?? orderId,
      status: action === "pay" ? "paid" : "closed",
      paidAt: action === "pay" ? now : undefined,
      data: { via: "demo checkout page", amount: view.order.payAmount },
    },
  });
}
