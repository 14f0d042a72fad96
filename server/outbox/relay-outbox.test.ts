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
