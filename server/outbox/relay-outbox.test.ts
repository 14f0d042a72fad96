import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { outbox } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { relayOutbox, type OutgoingEvent } from "./relay-outbox";

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore();
});
afterAll(async () => store.cleanup());

describe("relayOutbox", () => {
  it("keeps events unsent while the receiver fails, then sends each once with its own id", async () => {
    await store.db.insert(outbox).values([
      { id: "order.paid/1", name: "order/paid", data: { orderId: "1" } },
      { id: "order.paid/2", name: "order/paid", data: { orderId: "2" } },
    ]);
    const failing = await relayOutbox(store.db, async () => {
      throw new Error("inngest down");
    });
    expect(failing).toEqual({ sent: 0, failed: 2 });
    const [row] = await store.db.select().from(outbox).where(eq(outbox.id, "order.paid/1"));
    expect(row!.sentAt).toBeNull();
    expect(row!.lastError).toBe("inngest down");

    const received: OutgoingEvent[] = [];
    expect(await relayOutbox(store.db, async (e) => void received.push(...e))).toEqual({ sent: 2, failed: 0 });
    expect(received.map((e) => e.id).sort()).toEqual(["order.paid/1", "order.paid/2"]);
    expect(await relayOutbox(store.db, async (e) => void received.push(...e))).toEqual({ sent: 0, failed: 0 });
    expect(received).toHaveLength(2);
  });
});

describe("relayOutbox on several instances", () => {
  it("two relays running at once never send the same row, and a stale claim is taken over", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `order.paid/multi-${i}`);
    await store.db.insert(outbox).values(ids.map((id) => ({ id, name: "order/paid", data: {} })));
    const received: string[] = [];
    // A slow receiver keeps both relays inside their send at the same time.
    const slow = async (e: OutgoingEvent[]) => {
      await new Promise((r) => setTimeout(r, 50));
      received.push(...e.map((x) => x.id));
    };
    const results = await Promise.all([
      relayOutbox(store.db, slow, 10),
      relayOutbox(store.db, slow, 10),
      relayOutbox(store.db, slow, 10),
      relayOutbox(store.db, slow, 10),
    ]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
    expect(received.sort()).toEqual([...ids].sort());

    // A relay that died mid-send: its claim blocks others until it expires.
    await store.db
      .insert(outbox)
      .values({ id: "order.paid/orphan", name: "order/paid", data: {}, claimedUntil: new Date(Date.now() + 60_000) });
    expect(await relayOutbox(store.db, slow)).toEqual({ sent: 0, failed: 0 });
    await store.db
      .update(outbox)
      .set({ claimedUntil: new Date(Date.now() - 1000) })
      .where(eq(outbox.id, "order.paid/orphan"));
    expect(await relayOutbox(store.db, slow)).toEqual({ sent: 1, failed: 0 });
  });
});
