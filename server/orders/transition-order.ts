import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { orderEvents, orders, outbox } from "@/db/schema";
import type { OrderStatus } from "@/db/schema/orders";
import { AppError, AppErrorCode } from "@/server/errors";
import { applyReservationEffect } from "./reservations";
import { observeTransition } from "@/server/metrics/observe-transition";
import { postJournalForTransition } from "@/server/ledger/transition-postings";
import { canTransition } from "./state-machine";

export type Order = typeof orders.$inferSelect;
type OrderPatch = Partial<Omit<typeof orders.$inferInsert, "id" | "status" | "traceId" | "createdAt">>;

export interface OutboxEvent {
  /** Deterministic: the same cause always yields the same id, so a re-send is deduplicated. */
  id: string;
  name: string;
  data: Record<string, unknown>;
}

export interface TransitionInput {
  orderId: string;
  from: OrderStatus | readonly OrderStatus[];
  to: OrderStatus;
  /** Who or what caused it: "mixpay", "wallet:demo", "system:<function>", "operator:<user id>". */
  actor: string;
  /** Timeline event type; defaults to "order.<to>". */
  type?: string;
  message?: string;
  data?: Record<string, unknown>;
  patch?: OrderPatch;
  /** Events to deliver after commit (transactional outbox). */
  events?: OutboxEvent[];
}

export interface TransitionResult {
  order: Order;
  /** False when the order was already in `to` (a repeated notification): nothing was written. */
  changed: boolean;
}

/**
 * Move an order between states atomically: `UPDATE … WHERE status IN (from) RETURNING`, plus its
 * timeline event, outbox events and the asset's reservation counter in the same transaction. Repeating a transition that already
 * happened is a no-op; any other mismatch is ILLEGAL_TRANSITION.
 */
export async function transitionOrder(db: DbOrTx, input: TransitionInput): Promise<TransitionResult> {
  const froms = (Array.isArray(input.from) ? input.from : [input.from]) as OrderStatus[];
  for (const f of froms) {
    if (!canTransition(f, input.to)) {
      throw new AppError(AppErrorCode.ILLEGAL_TRANSITION, `order cannot move from ${f} to ${input.to}`);
    }
  }
  const result = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for("update");
    if (!current) throw new AppError(AppErrorCode.NOT_FOUND, `order ${input.orderId} not found`);
    if (!froms.includes(current.status)) {
      if (current.status === input.to) return { order: current, changed: false };
      throw new AppError(
        AppErrorCode.ILLEGAL_TRANSITION,
        `order ${input.orderId} is ${current.status}, not ${froms.join("/")}; cannot move to ${input.to}`,
        { details: { status: current.status } },
      );
    }
    const [updated] = await tx
      .update(orders)
      .set({ ...input.patch, status: input.to, updatedAt: new Date() })
      .where(and(eq(orders.id, input.orderId), inArray(orders.status, froms)))
      .returning();
    if (!updated) throw new AppError(AppErrorCode.CONFLICT, `order ${input.orderId} changed concurrently`);
    // The asset's reservation counter follows every status change, derived from the two statuses.
    await applyReservationEffect(tx, current, current.status, input.to);
    await tx.insert(orderEvents).values({
      orderId: input.orderId,
      type: input.type ?? `order.${input.to}`,
      fromStatus: current.status,
      toStatus: input.to,
      actor: input.actor,
      message: input.message ?? "",
      data: input.data ?? {},
    });
    // The books move in the same transaction as the status (server/ledger, docs/ledger.md).
    await postJournalForTransition(tx, current, updated, input);
    if (input.events?.length) {
      await tx.insert(outbox).values(input.events).onConflictDoNothing();
    }
    return { order: updated, changed: true };
  });
  if (result.changed) observeTransition(db, result.order);
  return result;
}

/** A timeline entry that is not a state change (e.g. a failed attempt, a duplicate notification). */
export async function recordOrderEvent(
  db: DbOrTx,
  e: { orderId: string; type: string; actor: string; message?: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(orderEvents).values({
    orderId: e.orderId,
    type: e.type,
    actor: e.actor,
    message: e.message ?? "",
    data: e.data ?? {},
  });
}
