import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The process's Prometheus metrics. Kept on globalThis: Next evaluates route handlers and the
 * Inngest functions in separate module graphs of one process, and they must share one registry.
 * Counters and histograms are per instance (Prometheus sums them across instances); the gauges
 * read from the store at scrape time (server/metrics/store-gauges.ts) are the same on every instance.
 */
export interface BrokerMetrics {
  registry: Registry;
  mixpayRequests: Counter<"route" | "code" | "status">;
  mixpayLatency: Histogram<"route" | "code">;
  webhookRequests: Counter<"wallet" | "status">;
  settlementLatency: Histogram;
  refundLatency: Histogram;
  ordersByStatus: Gauge<"status">;
  outboxBacklog: Gauge;
  outboxOldestAge: Gauge;
  balance: Gauge<"asset" | "kind">;
  openAlerts: Gauge<"severity">;
}

const KEY = Symbol.for("mixpay-broker.metrics");
type G = typeof globalThis & { [KEY]?: BrokerMetrics };

export function metrics(): BrokerMetrics {
  const g = globalThis as G;
  if (g[KEY]) return g[KEY];
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m: BrokerMetrics = {
    registry,
    mixpayRequests: new Counter({
      name: "mixpay_requests_total",
      help: "MixPay API calls answered, by route, envelope code and HTTP status",
      labelNames: ["route", "code", "status"],
      registers: [registry],
    }),
    mixpayLatency: new Histogram({
      name: "mixpay_request_duration_seconds",
      help: "Time to answer a MixPay API call, by route and envelope code",
      labelNames: ["route", "code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: "wallet_webhook_requests_total",
      help: "Wallet webhook notifications answered, by wallet and HTTP status",
      labelNames: ["wallet", "status"],
      registers: [registry],
    }),
    settlementLatency: new Histogram({
      name: "broker_settlement_latency_seconds",
      help: "From the end user's payment (paid_at) to MixPay receiving the transfer (settled)",
      buckets: [1, 5, 10, 30, 60, 120, 300, 900, 3600],
      registers: [registry],
    }),
    refundLatency: new Histogram({
      name: "broker_refund_latency_seconds",
      help: "From the refund being owed (refund row created) to the end user refunded",
      buckets: [1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
      registers: [registry],
    }),
    ordersByStatus: new Gauge({
      name: "broker_orders",
      help: "Orders by status (from the store)",
      labelNames: ["status"],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: "broker_outbox_unsent",
      help: "Outbox events not yet delivered to Inngest",
      registers: [registry],
    }),
    outboxOldestAge: new Gauge({
      name: "broker_outbox_oldest_unsent_age_seconds",
      help: "Age of the oldest undelivered outbox event (0 when none)",
      registers: [registry],
    }),
    balance: new Gauge({
      name: "broker_asset_amount",
      help: "Per asset: synced balance, amount reserved for open orders, and available (balance - reserved)",
      labelNames: ["asset", "kind"],
      registers: [registry],
    }),
    openAlerts: new Gauge({
      name: "broker_open_alerts",
      help: "Unacknowledged alerts by severity",
      labelNames: ["severity"],
      registers: [registry],
    }),
  };
  g[KEY] = m;
  return m;
}
