import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "@/db/client";
import { auditLog } from "@/db/schema";
import { createTestStore, type TestStore } from "@/test/store";
import { signInWithPassword } from "./password-sign-in";
import { ACCOUNT_POLICY, ADDRESS_POLICY, delayAfter } from "./sign-in-throttle";
import { createUser } from "./users";

let store: TestStore;
/** A second handle on the same database, as a second broker instance holds (PostgreSQL only; PGlite is one process). */
let other: DbHandle | undefined;
beforeAll(async () => {
  store = await createTestStore({ seed: false, install: false });
  if (store.databaseUrl) other = openDb({ databaseUrl: store.databaseUrl, poolSize: 4 });
  await createUser(store.db, { email: "ops@example.test", password: "right-password", role: "operator" });
});
afterAll(async () => {
  await other?.close();
  await store.cleanup();
});

const at = (base: number, ms: number) => new Date(base + ms);

describe("sign-in throttle", () => {
  it("grows the delay after the free failures, then locks: even the right password is refused until the lock ends", async () => {
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    const instances = [store.db, other?.db ?? store.db];
    let t = t0;
    const email = "ops@example.test";
    for (let i = 1; i <= ACCOUNT_POLICY.lockAfter; i++) {
      // Alternate instances: the count lives in the database, not in a process.
      const r = await signInWithPassword(
        instances[i % 2]!,
        { email, password: `wrong-${i}`, address: "203.0.113.7" },
        new Date(t),
      );
      expect(r).toEqual({ ok: false, reason: "wrong" });
      const wait = delayAfter(i, ACCOUNT_POLICY);
      if (i > ACCOUNT_POLICY.freeFailures && i < ACCOUNT_POLICY.lockAfter) {
        // Just before the delay is over: refused without checking the password.
        const early = await signInWithPassword(
          instances[(i + 1) % 2]!,
          { email, password: "right-password" },
          at(t, wait - 1),
        );
        expect(early).toMatchObject({ ok: false, reason: "delayed" });
        expect(early.ok ? 0 : early.retryAfterMs).toBe(1);
      }
      t += wait;
    }
    // The delays grew: 1 s, 2 s, 4 s, …
    expect([4, 5, 6, 7].map((n) => delayAfter(n, ACCOUNT_POLICY))).toEqual([1000, 2000, 4000, 8000]);
    const locked = await signInWithPassword(
      instances[1]!,
      { email, password: "right-password", address: "198.51.100.1" },
      at(t, 60_000),
    );
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    const audits = await store.db.select().from(auditLog).where(eq(auditLog.action, "sign_in.locked"));
    expect(audits.map((a) => a.targetId)).toEqual(["account:ops@example.test"]);
    // After the lock the right password works again and clears the count.
    const after = await signInWithPassword(
      instances[0]!,
      { email, password: "right-password", address: "198.51.100.1" },
      at(t, ACCOUNT_POLICY.lockMs + 1),
    );
    expect(after).toMatchObject({ ok: true, user: { email } });
  });

  it("counts an unknown email like a real one (no hint which emails exist) and throttles the address across accounts", async () => {
    const t0 = Date.parse("2026-02-01T00:00:00Z");
    const address = "192.0.2.55";
    // Concurrent failures on two instances are all counted (one atomic upsert each).
    await Promise.all(
      Array.from({ length: ADDRESS_POLICY.freeFailures }, (_, i) =>
        signInWithPassword(
          i % 2 ? (other?.db ?? store.db) : store.db,
          { email: `nobody${i}@example.test`, password: "x" },
          new Date(t0),
        ).then(() =>
          signInWithPassword(
            i % 2 ? (other?.db ?? store.db) : store.db,
            { email: `nobody${i}@example.test`, password: "y", address },
            new Date(t0),
          ),
        ),
      ),
    );
    // freeFailures on the address so far; one more puts it into its delay.
    await signInWithPassword(store.db, { email: "someone-else@example.test", password: "z", address }, new Date(t0));
    const r = await signInWithPassword(
      store.db,
      { email: "ops@example.test", password: "right-password", address },
      at(t0, 10),
    );
    expect(r).toMatchObject({ ok: false, reason: "delayed" });
    // Another address is not affected.
    const elsewhere = await signInWithPassword(
      store.db,
      { email: "ops@example.test", password: "right-password", address: "192.0.2.56" },
      at(t0, 10),
    );
    expect(elsewhere.ok).toBe(true);
  });
});
