import { and, asc, desc, eq, ilike, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { alerts, assets, orders, outbox, payeeAccessEntries, payeeAccessPolicy, wallets } from "@/db/schema";
import type { SessionUser } from "@/server/auth/users";
import { AppError, AppErrorCode } from "@/server/errors";
import { dec, isDecimalString } from "@/server/money";
import { availableBalances } from "@/server/orders/reservations";
import { writeAudit } from "./audit";

type Actor = Pick<SessionUser, "id" | "email">;
const decimal = (max = 8) => z.string().refine((s) => isDecimalString(s, max), "a plain decimal with at most 8 places");

export const updateAssetInput = z.object({
  assetId: z.uuid(),
  enabled: z.boolean().optional(),
  minUsdt: decimal().optional(),
  maxUsdt: decimal().optional(),
  feeRate: decimal().refine((s) => dec(s).lt(1), "the fee rate must be below 1 (100%)").optional(),
  lowBalanceThreshold: decimal().nullable().optional(),
});

export async function updateAsset(db: Db, actor: Actor, input: z.infer<typeof updateAssetInput>) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(assets).where(eq(assets.assetId, input.assetId)).for("update");
    if (!before) throw new AppError(AppErrorCode.NOT_FOUND, "no such asset");
    const { assetId, ...patch } = input;
    const minUsdt = patch.minUsdt ?? before.minUsdt;
    const maxUsdt = patch.maxUsdt ?? before.maxUsdt;
    if (dec(minUsdt).gt(dec(maxUsdt))) throw AppError.badParameter("minUsdt", "min_usdt must not exceed max_usdt");
    const [after] = await tx.update(assets).set({ ...patch, updatedAt: new Date() }).where(eq(assets.assetId, assetId)).returning();
    await writeAudit(tx, actor, { action: "asset.update", targetType: "asset", targetId: assetId, before, after });
    return after!;
  });
}

export async function setWalletEnabled(db: Db, actor: Actor, name: string, enabled: boolean) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(wallets).where(eq(wallets.name, name)).for("update");
    if (!before) throw new AppError(AppErrorCode.NOT_FOUND, "no such wallet");
    const [after] = await tx.update(wallets).set({ enabled, updatedAt: new Date() }).where(eq(wallets.name, name)).returning();
    await writeAudit(tx, actor, { action: "wallet.update", targetType: "wallet", targetId: name, before, after });
    return after!;
  });
}

export async function getAccess(db: Db, search?: string) {
  const [policy] = await db.select().from(payeeAccessPolicy).where(eq(payeeAccessPolicy.id, "default"));
  const entries = await db
    .select()
    .from(payeeAccessEntries)
    .where(search ? ilike(sql`${payeeAccessEntries.payeeId}::text`, `%${search.replace(/[%_]/g, "")}%`) : undefined)
    .orderBy(desc(payeeAccessEntries.createdAt))
    .limit(500);
  return { mode: policy?.mode ?? "open", entries };
}

export async function setAccessMode(db: Db, actor: Actor, mode: "open" | "allow_list") {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(payeeAccessPolicy).where(eq(payeeAccessPolicy.id, "default"));
    await tx.insert(payeeAccessPolicy).values({ id: "default", mode }).onConflictDoUpdate({ target: payeeAccessPolicy.id, set: { mode, updatedAt: new Date() } });
    await writeAudit(tx, actor, { action: "access.mode", targetType: "access_policy", targetId: "default", before: before ?? null, after: { mode } });
  });
}

export async function setAccessEntry(db: Db, actor: Actor, input: { payeeId: string; list: "allow" | "block"; present: boolean; note?: string }) {
  return db.transaction(async (tx) => {
    if (input.present) {
      await tx.insert(payeeAccessEntries).values({ payeeId: input.payeeId, list: input.list, note: input.note ?? "" }).onConflictDoNothing();
    } else {
      await tx.delete(payeeAccessEntries).where(and(eq(payeeAccessEntries.payeeId, input.payeeId), eq(payeeAccessEntries.list, input.list)));
    }
    await writeAudit(tx, actor, { action: input.present ? `access.${input.list}.add` : `access.${input.list}.remove`, targetType: "payee", targetId: input.payeeId, after: input });
  });
}

export async function listAlerts(db: Db, includeAcknowledged = false) {
  return db
    .select()
    .from(alerts)
    .where(includeAcknowledged ? undefined : isNull(alerts.acknowledgedAt))
    .orderBy(desc(alerts.lastSeenAt))
    .limit(200);
}

export async function acknowledgeAlert(db: Db, actor: Actor, alertId: string) {
  return db.transaction(async (tx) => {
    const [after] = await tx
      .update(alerts)
      .set({ acknowledgedAt: new Date(), acknowledgedBy: actor.id })
      .where(and(eq(alerts.id, alertId), isNull(alerts.acknowledgedAt)))
      .returning();
    if (!after) throw new AppError(AppErrorCode.NOT_FOUND, "no open alert with this id");
    await writeAudit(tx, actor, { action: "alert.acknowledge", targetType: "alert", targetId: alertId, after: { acknowledgedAt: after.acknowledgedAt } });
    return after;
  });
}

/** Orders an operator may need to push: failed settlements, and settlements running long. */
export async function settlementQueue(db: Db, stuckAfterMs = 15 * 60_000) {
  return db
    .select({ id: orders.id, traceId: orders.traceId, status: orders.status, amount: orders.amount, assetId: orders.assetId, symbol: assets.symbol, updatedAt: orders.updatedAt, statusReason: orders.statusReason })
    .from(orders)
    .leftJoin(assets, eq(assets.assetId, orders.assetId))
    .where(or(eq(orders.status, "settlement_failed"), and(inArray(orders.status, ["paid", "settling"]), lt(orders.updatedAt, new Date(Date.now() - stuckAfterMs)))))
    .orderBy(asc(orders.updatedAt))
    .limit(500);
}

/**
 * Retry settlement: an order/settle.requested event per order, written to the outbox with an
 * audit row in one transaction (the caller dispatches it). Settlement is idempotent by trace_id.
 */
export async function retrySettlements(db: Db, actor: Actor, orderIds: string[]) {
  return db.transaction(async (tx) => {
    const rows = await tx.select({ id: orders.id, status: orders.status }).from(orders).where(inArray(orders.id, orderIds));
    const retryable = rows.filter((r) => r.status === "settlement_failed" || r.status === "paid" || r.status === "settling");
    if (retryable.length === 0) throw new AppError(AppErrorCode.CONFLICT, "none of these orders is waiting for settlement");
    const stamp = Date.now();
    await tx.insert(outbox).values(retryable.map((r) => ({ id: `order.settle/${r.id}/retry-${stamp}`, name: "order/settle.requested", data: { orderId: r.id, retriedBy: actor.id } })));
    for (const r of retryable) await writeAudit(tx, actor, { action: "settlement.retry", targetType: "order", targetId: r.id, before: { status: r.status } });
    return { queued: retryable.map((r) => r.id), skipped: rows.filter((r) => !retryable.includes(r)).map((r) => r.id) };
  });
}

/** Current status of some orders (the settlement queue polls it to show a retry's progress). */
export async function orderStatuses(db: Db, orderIds: string[]) {
  return db
    .select({ id: orders.id, traceId: orders.traceId, status: orders.status, statusReason: orders.statusReason, updatedAt: orders.updatedAt })
    .from(orders)
    .where(inArray(orders.id, orderIds));
}

export async function balanceHealth(db: Db) {
  const [rows, available] = await Promise.all([db.select().from(assets).orderBy(asc(assets.symbol)), availableBalances(db)]);
  return rows.map((a) => {
    const b = available.get(a.assetId);
    return {
      assetId: a.assetId,
      symbol: a.symbol,
      enabled: a.enabled,
      balance: b?.balance.toFixed() ?? "0",
      reserved: b?.reserved.toFixed() ?? "0",
      available: b?.available.toFixed() ?? "0",
      syncedAt: b?.syncedAt ?? null,
      lowBalanceThreshold: a.lowBalanceThreshold,
      low: a.lowBalanceThreshold !== null && (b?.balance ?? dec("0")).lt(dec(a.lowBalanceThreshold)),
      minUsdt: a.minUsdt,
      maxUsdt: a.maxUsdt,
      feeRate: a.feeRate,
      priceUsd: a.priceUsd,
    };
  });
}

export async function statusCounts(db: Db) {
  return db.select({ status: orders.status, count: sql<number>`count(*)::int` }).from(orders).groupBy(orders.status);
}
