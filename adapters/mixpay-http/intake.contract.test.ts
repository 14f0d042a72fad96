import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openDb } from "@/db/client";
import { alerts, balances, orders, rateLimitCounters } from "@/db/schema";
import { DEMO_ASSETS } from "@/db/seed";
import { resetEnvCache } from "@/server/env";
import { expireDueOrders } from "@/server/orders/expire-orders";
import { getAssetsRange } from "@/server/orders/get-assets-range";
import { createBody, createRequest, envelope, MIXPAY_BOT, PAYEE, rangeRequest } from "@/test/mixpay";
import { createTestStore, type TestStore } from "@/test/store";
import { handleAssetsRange, handleCreateOrder } from "./handlers";
import { hitRateLimit, pruneRateLimits } from "@/server/mixpay/rate-limit";
import { PEER_ADDR_HEADER } from "@/adapters/http/transport";

/**
 * The door of create_order against callers who are not MixPay (its calls are unsigned): inputs the
 * real services refuse, reservation squatting, opponent_id pinning and the shared rate limits.
 */
let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const SETTINGS = [
  "MIXPAY_BOT_IDS",
  "MIXPAY_MAX_EXPIRY_SECONDS",
  "MIXPAY_RATE_LIMIT_PER_SOURCE",
  "MIXPAY_RATE_LIMIT_PER_PAYEE",
  "MIXPAY_RATE_WINDOW_SECONDS",
];
const saved = Object.fromEntries(SETTINGS.map((k) => [k, process.env[k]]));
function configure(settings: Record<string, string>) {
  Object.assign(process.env, settings);
  resetEnvCache();
}
afterEach(() => {
  for (const k of SETTINGS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetEnvCache();
  vi.useRealTimers();
});

async function create(body: Record<string, unknown>, from?: string) {
  return envelope(await handleCreateOrder(createRequest(body, "json", from ? { [PEER_ADDR_HEADER]: from } : {})));
}
const nowS = () => Math.floor(Date.now() / 1000);
const usdtMax = async (now?: Date) =>
  (await getAssetsRange(store.db, { payeeId: PAYEE, wallet: "demo" }, now)).find(
    (a) => a.asset_id === DEMO_ASSETS.USDT,
  )!.max;

describe("memo fits a Safe transaction's extra (256 bytes of UTF-8)", () => {
  it.each([
    ["85 × € (255 bytes) passes", "€".repeat(85), 0],
    ["85 × € + 1 ASCII (256 bytes) passes", `${"€".repeat(85)}a`, 0],
    ["86 × € (258 bytes, 86 characters) is 11000", "€".repeat(86), 11000],
    ["64 × 😀 (256 bytes, 128 UTF-16 units) passes", "😀".repeat(64), 0],
    ["65 × 😀 (260 bytes) is 11000", "😀".repeat(65), 11000],
  ])("%s", async (_name, memo, code) => {
    const body = createBody({ memo });
    const r = await create(body);
    expect(r.code).toBe(code);
    const rows = await store.db
      .select()
      .from(orders)
      .where(eq(orders.traceId, body.trace_id as string));
    if (code === 0) {
      expect(rows[0]!.memo).toBe(memo);
    } else {
      expect(r.message).toMatch(/^Parameter error: memo must be at most 256 bytes/);
      expect(rows).toHaveLength(0);
    }
  });
});

describe("control characters are refused in every field, naming it", () => {
  it.each([
    ["memo", "memo\u0000with NUL"],
    ["memo", "line\nbreak"],
    ["memo", "tab\there"],
    ["memo", "C1 \u0085 next line"],
    ["return_url", "https://mixpay.me/r?\u001b[31m"],
    ["wallet", "demo\u007f"],
    ["amount", "1\u0000"],
    ["trace_id", `${crypto.randomUUID()}\u0000`],
    ["payee_id", `${PAYEE}\r`],
  ])("%s with %j → 11000 naming it, nothing stored", async (field, value) => {
    const body = createBody({ [field]: value });
    const r = await create(body);
    expect(r).toMatchObject({ code: 11000, success: false, status: 200 });
    expect(r.message).toBe(`Parameter error: ${field} must not contain control characters`);
    if (field !== "trace_id")
      expect(
        await store.db
          .select()
          .from(orders)
          .where(eq(orders.traceId, body.trace_id as string)),
      ).toHaveLength(0);
  });

  it("on assets/range too", async () => {
    const r = await envelope(await handleAssetsRange(rangeRequest({ payee_id: PAYEE, wallet: "demo\u0000" })));
    expect(r).toMatchObject({ code: 11000 });
    expect(r.message).toBe("Parameter error: wallet must not contain control characters");
  });
});

describe("expired_at is capped (reservation squatting)", () => {
  it("five 999 USDT orders expiring in 30 days are refused and do not cut the max; in-cap orders free it when they expire", async () => {
    const before = await usdtMax();
    expect(Number(before)).toBeGreaterThanOrEqual(999);
    for (let i = 0; i < 5; i++) {
      const r = await create(createBody({ amount: "999", expired_at: String(nowS() + 30 * 24 * 3600 - 60) }));
      expect(r).toMatchObject({ code: 11000, success: false });
      expect(r.message).toContain("expired_at");
      expect(r.message).toContain("at most 7200 seconds ahead");
    }
    expect(await usdtMax()).toBe(before);

    // Inside the cap a squatter holds the balance for two hours at most, not a month.
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = createBody({ amount: "990", expired_at: String(nowS() + 7200) });
      expect((await create(body)).code).toBe(0);
      ids.push(body.trace_id as string);
    }
    expect(Number(await usdtMax())).toBeLessThan(50);
    // The expiry job releases them once their deadline has passed (reservations are a counter now).
    await expireDueOrders(store.db, new Date(Date.now() + 7201 * 1000));
    for (const t of ids)
      expect((await store.db.select({ s: orders.status }).from(orders).where(eq(orders.traceId, t)))[0]!.s).toBe(
        "expired",
      );
    expect(await usdtMax()).toBe(before);
  });

  it("the cap follows MIXPAY_MAX_EXPIRY_SECONDS", async () => {
    configure({ MIXPAY_MAX_EXPIRY_SECONDS: "600" });
    expect((await create(createBody({ expired_at: String(nowS() + 900) }))).message).toContain(
      "at most 600 seconds ahead",
    );
    expect((await create(createBody({ expired_at: String(nowS() + 590) }))).code).toBe(0);
  });
});

describe("opponent_id is pinned to MixPay's bots (MIXPAY_BOT_IDS)", () => {
  it("refuses another opponent_id with 11000 naming it, accepts the bot in either id form", async () => {
    configure({ MIXPAY_BOT_IDS: `${crypto.randomUUID()}, ${MIXPAY_BOT.toUpperCase()}` });
    const thief = createBody({ opponent_id: crypto.randomUUID() });
    const r = await create(thief);
    expect(r).toMatchObject({ code: 11000, success: false });
    expect(r.message).toContain("opponent_id");
    expect(
      await store.db
        .select()
        .from(orders)
        .where(eq(orders.traceId, thief.trace_id as string)),
    ).toHaveLength(0);
    expect((await create(createBody())).code).toBe(0);
    expect((await create(createBody({ opponent_id: MIXPAY_BOT.replace(/-/g, "") }))).code).toBe(0);
  });

  it("accepts any opponent_id when unset", async () => {
    expect((await create(createBody({ opponent_id: crypto.randomUUID() }))).code).toBe(0);
  });
});

describe("rate limits per source and per payee", () => {
  // Mid-window, so the test never straddles a window boundary.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 1_800_000));
  });
  // The faked clock must not make the balance look stale: the sync is stamped with the database's
  // own clock (PGlite's follows the faked one, PostgreSQL's the real one), which the reservation reads.
  beforeEach(async () => {
    await store.db.update(balances).set({ syncedAt: sql`now()` });
  });

  it("a source over its limit gets 11002 with HTTP 429 and Retry-After; other sources go on; repeated throttling alerts", async () => {
    configure({ MIXPAY_RATE_LIMIT_PER_SOURCE: "3", MIXPAY_RATE_WINDOW_SECONDS: "3600" });
    const flood = "198.51.100.66";
    for (let i = 0; i < 3; i++)
      expect(await create(createBody({ payee_id: crypto.randomUUID() }), flood)).toMatchObject({ code: 0 });
    const body = createBody({ payee_id: crypto.randomUUID() });
    const res = await handleCreateOrder(createRequest(body, "json", { [PEER_ADDR_HEADER]: flood }));
    expect(res.headers.get("retry-after")).toBe("1800");
    const r = await envelope(res);
    expect(r).toMatchObject({ code: 11002, success: false, status: 429, data: [] });
    expect(r.message).toMatch(/^This payment is unavailable: too many create_order calls for this source address/);
    expect(
      await store.db
        .select()
        .from(orders)
        .where(eq(orders.traceId, body.trace_id as string)),
    ).toHaveLength(0);
    expect((await create(createBody({ payee_id: crypto.randomUUID() }), "198.51.100.67")).code).toBe(0);

    expect(
      await store.db
        .select()
        .from(alerts)
        .where(eq(alerts.dedupeKey, `create_order_throttled:source:${flood}`)),
    ).toHaveLength(0);
    for (let i = 0; i < 10; i++) expect((await create(createBody(), flood)).code).toBe(11002);
    const [alert] = await store.db
      .select()
      .from(alerts)
      .where(eq(alerts.dedupeKey, `create_order_throttled:source:${flood}`));
    expect(alert).toMatchObject({ kind: "create_order_throttled", severity: "warning" });
    expect(alert!.message).toContain("MIXPAY_RATE_LIMIT_PER_SOURCE");
  });

  it("a payee over its limit is refused from any source", async () => {
    configure({ MIXPAY_RATE_LIMIT_PER_PAYEE: "2", MIXPAY_RATE_WINDOW_SECONDS: "3600" });
    const payee = crypto.randomUUID();
    expect((await create(createBody({ payee_id: payee }), "203.0.113.1")).code).toBe(0);
    expect((await create(createBody({ payee_id: payee }), "203.0.113.2")).code).toBe(0);
    const r = await create(createBody({ payee_id: payee }), "203.0.113.3");
    expect(r).toMatchObject({ code: 11002, status: 429 });
    expect(r.message).toContain("payee_id");
    expect((await create(createBody({ payee_id: crypto.randomUUID() }), "203.0.113.3")).code).toBe(0);
  });

  it("the counter lives in the database: two broker instances (two db handles) share it", async () => {
    const other = store.databaseUrl ? openDb({ databaseUrl: store.databaseUrl, poolSize: 2 }) : undefined;
    const second = other?.db ?? store.db; // PGlite is one process's store; on PostgreSQL this is a second pool
    try {
      const rule = { limit: 3, windowSeconds: 60 };
      const key = `test:shared:${crypto.randomUUID()}`;
      const t = new Date("2026-01-01T00:00:10Z");
      expect(await hitRateLimit(store.db, key, rule, t)).toMatchObject({
        allowed: true,
        hits: 1,
        retryAfterSeconds: 50,
      });
      expect(await hitRateLimit(second, key, rule, t)).toMatchObject({ allowed: true, hits: 2 });
      const both = await Promise.all([hitRateLimit(store.db, key, rule, t), hitRateLimit(second, key, rule, t)]);
      expect(both.map((v) => v.hits).sort()).toEqual([3, 4]);
      expect(both.filter((v) => v.allowed)).toHaveLength(1);
      // A later window starts over; a lagging instance's older window counts in the newer one.
      const next = new Date("2026-01-01T00:01:05Z");
      expect(await hitRateLimit(second, key, rule, next)).toMatchObject({ allowed: true, hits: 1 });
      expect(await hitRateLimit(store.db, key, rule, t)).toMatchObject({ hits: 2 });
      expect(await pruneRateLimits(store.db, "test", new Date("2026-01-01T00:02:00Z"))).toBeGreaterThanOrEqual(1);
      expect(await store.db.select().from(rateLimitCounters).where(eq(rateLimitCounters.key, key))).toHaveLength(0);
      // 0 = no limit, nothing written.
      expect(await hitRateLimit(store.db, `${key}:off`, { limit: 0, windowSeconds: 60 }, t)).toMatchObject({
        allowed: true,
      });
      expect(
        await store.db
          .select()
          .from(rateLimitCounters)
          .where(eq(rateLimitCounters.key, `${key}:off`)),
      ).toHaveLength(0);
    } finally {
      await other?.close();
    }
  });
});
