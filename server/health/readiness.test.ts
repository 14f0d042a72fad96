import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balances, outbox } from "@/db/schema";
import { authorizeScrape } from "@/server/metrics/authorize-scrape";
import { metrics } from "@/server/metrics/registry";
import { refreshStoreGauges } from "@/server/metrics/store-gauges";
import { createTestStore, type TestStore } from "@/test/store";
import { markSnapshotsPolled } from "./heartbeats";
import { checkInngest, checkReadiness, resetInngestCache } from "./readiness";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(() => store.cleanup());

const opts = (now: Date) => ({
  now,
  maxBalanceSyncAgeSeconds: 120,
  maxSnapshotPollAgeSeconds: 300,
  maxOutboxAgeSeconds: 300,
  inngest: async () => ({ ok: true, detail: "stub" }),
});

describe("readiness", () => {
  it("is ready while balances sync and snapshots are polled, and goes not-ready (503) when the sync stops", async () => {
    const t0 = new Date();
    await store.db.update(balances).set({ syncedAt: t0 });
    await markSnapshotsPolled(store.db, t0);
    const fresh = await checkReadiness(store.db, opts(t0));
    expect(fresh.ready).toBe(true);
    expect(fresh.checks.migrations).toMatchObject({ ok: true });
    expect(fresh.checks.balanceSync).toMatchObject({ ok: true, ageSeconds: 0 });

    // No sync for three minutes (the snapshot poll keeps going).
    const later = new Date(t0.getTime() + 180_000);
    await markSnapshotsPolled(store.db, later);
    const stale = await checkReadiness(store.db, opts(later));
    expect(stale.ready).toBe(false);
    expect(stale.checks.balanceSync).toMatchObject({ ok: false, ageSeconds: 180 });
    expect(stale.checks.snapshotPoll!.ok).toBe(true);
  });

  it("goes not-ready when an outbox event waits too long, and says so per check without internals", async () => {
    const now = new Date();
    await store.db.update(balances).set({ syncedAt: now });
    await markSnapshotsPolled(store.db, now);
    await store.db
      .insert(outbox)
      .values({ id: "stuck/1", name: "order/paid", data: {}, createdAt: new Date(now.getTime() - 600_000) });
    const r = await checkReadiness(store.db, opts(now));
    expect(r.ready).toBe(false);
    expect(r.checks.outbox).toMatchObject({ ok: false, ageSeconds: 600 });
    expect(JSON.stringify(r)).not.toMatch(/postgres:|password|ECONN/);
  });

  it("reports Inngest unconfigured in production and unreachable when its server does not answer", async () => {
    resetInngestCache();
    expect(await checkInngest({})).toMatchObject({ ok: false, detail: expect.stringContaining("not configured") });
    resetInngestCache();
    expect(await checkInngest({ INNGEST_DEV: "1", INNGEST_BASE_URL: "http://127.0.0.1:9" })).toMatchObject({
      ok: false,
      detail: "configured but not reachable",
    });
    resetInngestCache();
  });
});

describe("metrics", () => {
  it("are protected: 404 without METRICS_TOKEN, 401 for a missing or wrong bearer, 200 for the right one", () => {
    expect(authorizeScrape("Bearer anything", undefined)).toBe(404);
    expect(authorizeScrape(null, "a-long-metrics-token")).toBe(401);
    expect(authorizeScrape("Bearer a-long-metrics-tokeX", "a-long-metrics-token")).toBe(401);
    expect(authorizeScrape("Basic a-long-metrics-token", "a-long-metrics-token")).toBe(401);
    expect(authorizeScrape("Bearer a-long-metrics-token", "a-long-metrics-token")).toBe(200);
  });

  it("expose orders by status, outbox backlog, balance/reserved/available per asset and open alerts", async () => {
    const m = metrics();
    await refreshStoreGauges(store.db, m);
    const text = await m.registry.metrics();
    expect(text).toMatch(/broker_orders\{status="created"\} \d+/);
    expect(text).toMatch(/broker_outbox_unsent \d+/);
    expect(text).toMatch(/broker_asset_amount\{asset="4d8c508b-91c5-375b-92b0-ee702ed2dac5",kind="available"\} [\d.]+/);
    expect(text).toMatch(/broker_open_alerts\{severity="critical"\} \d+/);
    expect(text).toContain("mixpay_request_duration_seconds");
    expect(text).toContain("broker_settlement_latency_seconds");
  });
});
