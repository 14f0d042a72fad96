import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alerts, mixinSnapshots } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { justBefore, pollSnapshots, type SnapshotSource } from "./poll-snapshots";
import type { IncomingSnapshot } from "./process-snapshots";
import { watchSnapshotsOnce } from "./watch-health";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";
const top = (createdAt: string): IncomingSnapshot => ({
  snapshotId: crypto.randomUUID(),
  assetId: USDT,
  amount: "1",
  opponentId: crypto.randomUUID(),
  requestId: null,
  transactionHash: null,
  memoHex: "",
  memoText: "",
  refund: null,
  createdAt,
});

/** Mixin's paging as documented: snapshots with created_at after the offset, oldest first; next offset = last created_at. */
function source(all: IncomingSnapshot[]): SnapshotSource & { offsets: (string | undefined)[] } {
  const offsets: (string | undefined)[] = [];
  return {
    offsets,
    async readSnapshots(offset, limit) {
      offsets.push(offset);
      const page = all.filter((s) => offset === undefined || s.createdAt > offset).slice(0, limit);
      return { snapshots: page, nextOffset: page.length ? page[page.length - 1]!.createdAt : offset };
    },
  };
}

describe("pollSnapshots", () => {
  it("reads every snapshot when several share created_at across a page boundary (re-reads the boundary, dedupes by id)", async () => {
    const t = (n: number) => `2026-01-01T00:00:0${n}.000000000Z`;
    // The first page (4) ends inside the group of three at t(2).
    const all = [top(t(1)), top(t(1)), top(t(2)), top(t(2)), top(t(2)), top(t(3))];
    const r = await pollSnapshots(store.db, source(all), { pageSize: 4, maxPages: 10 });
    const stored = await store.db.select({ id: mixinSnapshots.snapshotId }).from(mixinSnapshots);
    const ids = new Set(stored.map((x) => x.id));
    for (const s of all) expect(ids.has(s.snapshotId)).toBe(true);
    expect(r.outcomes.top_up).toBe(6);
    expect(r.cursor).toBe(justBefore(t(3)));
  });

  it("steps nanoseconds correctly across a second boundary", () => {
    expect(justBefore("2026-01-01T00:00:01.000000000Z")).toBe("2026-01-01T00:00:00.999999999Z");
    expect(justBefore("2026-01-01T00:00:01.5Z")).toBe("2026-01-01T00:00:01.499999999Z");
  });
});

describe("watchSnapshotsOnce", () => {
  const failing: SnapshotSource = {
    async readSnapshots() {
      throw new Error("Mixin answered 500");
    },
  };

  it("alerts after N failures in a row, and when it has not caught up for longer than the lag setting", async () => {
    const t0 = new Date("2026-02-01T00:00:00Z");
    const settings = (min: number) => ({
      failureAlertAfter: 3,
      lagAlertMs: 300_000,
      now: new Date(t0.getTime() + min * 60_000),
    });
    const open = async (key: string) => (await store.db.select().from(alerts).where(eq(alerts.dedupeKey, key)))[0];
    await watchSnapshotsOnce(store.db, source([]), undefined, settings(0));
    await expect(watchSnapshotsOnce(store.db, failing, undefined, settings(1))).rejects.toThrow("500");
    await expect(watchSnapshotsOnce(store.db, failing, undefined, settings(2))).rejects.toThrow("500");
    expect(await open("snapshot_watch_failing")).toBeUndefined();
    await expect(watchSnapshotsOnce(store.db, failing, undefined, settings(3))).rejects.toThrow("500");
    expect(await open("snapshot_watch_failing")).toMatchObject({ severity: "critical" });
    expect(await open("snapshot_watch_behind")).toBeUndefined();
    await expect(watchSnapshotsOnce(store.db, failing, undefined, settings(6))).rejects.toThrow("500");
    expect((await open("snapshot_watch_behind"))!.message).toContain("has not caught up for 360 s");
  });
});
