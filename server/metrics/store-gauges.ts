import { count, isNull, min } from "drizzle-orm";
import type { Db } from "@/db/client";
import { alerts, orders, outbox } from "@/db/schema";
import { ORDER_STATUSES } from "@/db/schema/orders";
import { availableBalances } from "@/server/orders/reservations";
import type { BrokerMetrics } from "./registry";

/**
 * Refresh the gauges that describe the store (the same on every instance) right before a scrape.
 * Amounts become floats here and only here: Prometheus has no decimals, and these numbers are
 * for graphs and alerts, never for moving money.
 */
export async function refreshStoreGauges(db: Db, m: BrokerMetrics, now = new Date()): Promise<void> {
  const [byStatus, backlog, avail, open] = await Promise.all([
    db.select({ status: orders.status, n: count() }).from(orders).groupBy(orders.status),
    db
      .select({ n: count(), oldest: min(outbox.createdAt) })
      .from(outbox)
      .where(isNull(outbox.sentAt)),
    availableBalances(db),
    db
      .select({ severity: alerts.severity, n: count() })
      .from(alerts)
      .where(isNull(alerts.acknowledgedAt))
      .groupBy(alerts.severity),
  ]);
  const seen = new Map(byStatus.map((r) => [r.status, Number(r.n)]));
  for (const s of ORDER_STATUSES) m.ordersByStatus.set({ status: s }, seen.get(s) ?? 0);
  m.outboxBacklog.set(Number(backlog[0]?.n ?? 0));
  const oldest = backlog[0]?.oldest;
  m.outboxOldestAge.set(oldest ? Math.max(0, (now.getTime() - new Date(oldest).getTime()) / 1000) : 0);
  m.balance.reset();
  for (const [asset, a] of avail) {
    m.balance.set({ asset, kind: "balance" }, a.balance.toNumber());
    m.balance.set({ asset, kind: "reserved" }, a.reserved.toNumber());
    m.balance.set({ asset, kind: "available" }, a.available.toNumber());
  }
  m.openAlerts.reset();
  for (const sev of ["info", "warning", "critical"] as const) m.openAlerts.set({ severity: sev }, 0);
  for (const r of open) m.openAlerts.set({ severity: r.severity }, Number(r.n));
}
