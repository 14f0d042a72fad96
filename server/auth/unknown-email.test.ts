import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestStore, type TestStore } from "@/test/store";
import { verifyPassword } from "./passwords";
import { authenticate, createUser } from "./users";

// Watch every password verification while keeping the real argon2 behind it.
vi.mock("./passwords", async (importOriginal) => {
  const real = await importOriginal<typeof import("./passwords")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore({ seed: false, install: false });
  await createUser(store.db, { email: "ops@example.test", password: "right-password", role: "operator" });
  await createUser(store.db, { email: "mixin-only@example.test", password: "unused", role: "merchant" });
});
afterAll(() => store.cleanup());

describe("constant-time answer for unknown emails (structural: the same work on both paths)", () => {
  it("an unknown email verifies the password against a dummy argon2 hash with the real parameters", async () => {
    const verify = vi.mocked(verifyPassword);
    verify.mockClear();
    expect(await authenticate(store.db, "ops@example.test", "wrong")).toBeNull();
    expect(await authenticate(store.db, "no-such-user@example.test", "wrong")).toBeNull();
    expect(verify).toHaveBeenCalledTimes(2);
    const realHash = verify.mock.calls[0]![0];
    const dummyHash = verify.mock.calls[1]![0];
    const params = (h: string) => h.split("$").slice(1, 4).join("$");
    expect(dummyHash).not.toBe(realHash);
    expect(params(realHash)).toMatch(/^argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(params(dummyHash)).toBe(params(realHash));
    // The dummy path never accepts anything.
    expect(verify.mock.results[1]!.type).toBe("return");
    expect(await verify.mock.results[1]!.value).toBe(false);
  });
});
