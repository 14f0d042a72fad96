import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { alerts, outbox } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { raiseAlert } from "./raise-alert";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("raiseAlert", () => {
  it("stores an alert once per open dedupe key and counts repeats", async () => {
    const a = await raiseAlert(store.db, { kind: "low_balance", dedupeKey: "low_balance:x", message: "low" });
    const b = await raiseAlert(store.db, { kind: "low_balance", dedupeKey: "low_balance:x", message: "still low" });
    expect(a.isNew).toBe(true);
    expect(b).toEqual({ id: a.id, isNew: false });
    const [row] = await store.db.select().from(alerts).where(eq(alerts.id, a.id));
    expect(row!.occurrences).toBe(2);
    expect(row!.message).toBe("still low");
    // Delivery is queued once, for the first occurrence only.
    const queued = await store.db
      .select()
      .from(outbox)
      .where(eq(outbox.id, `alert.raised/${a.id}`));
    expect(queued).toHaveLength(1);
  });

  it("raises a new alert after the previous one was acknowledged", async () => {
    const a = await raiseAlert(store.db, { kind: "k", dedupeKey: "k:1", message: "m" });
    await store.db.update(alerts).set({ acknowledgedAt: new Date() }).where(eq(alerts.id, a.id));
    const b = await raiseAlert(store.db, { kind: "k", dedupeKey: "k:1", message: "m" });
    expect(b.isNew).toBe(true);
    expect(b.id).not.toBe(a.id);
  });
});
