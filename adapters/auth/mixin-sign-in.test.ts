import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userPayees, users } from "@/db/schema";
import { startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { EMULATED_OAUTH_CLIENT_SECRET } from "@/test/doubles/mixin/oauth";
import { insertOrder } from "@/test/factories";
import { createTestStore, type TestStore } from "@/test/store";
import { createCaller } from "@/adapters/trpc/root";
import { fetchMixinProfile, mixinTokenFetch, profileToUser } from "./mixin-oauth";
import { loadSessionUser, signInWithMixin } from "@/server/auth/users";

let emu: MixinEmulator;
let store: TestStore;
beforeAll(async () => {
  emu = await startMixinEmulator();
  store = await createTestStore();
});
afterAll(async () => {
  await emu.close();
  await store.cleanup();
});

const cfg = () => ({
  clientId: emu.keystore.app_id,
  clientSecret: EMULATED_OAUTH_CLIENT_SECRET,
  authorizeUrl: `${emu.url}/oauth/authorize`,
  tokenUrl: `${emu.url}/oauth/token`,
  profileUrl: `${emu.url}/me`,
});

/** What the browser does on the double's authorize page: approve as this Mixin user. */
async function authorize(userId: string, challenge: string): Promise<string> {
  const form = new URLSearchParams({
    client_id: emu.keystore.app_id,
    scope: "PROFILE:READ",
    state: "s1",
    code_challenge: challenge,
    redirect_uri: "http://broker.test/api/auth/callback/mixin",
    user_id: userId,
    full_name: "Ada Payee",
  });
  const res = await fetch(`${emu.url}/oauth/authorize/approve`, { method: "POST", body: form, redirect: "manual" });
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get("location")!);
  expect(to.origin + to.pathname).toBe("http://broker.test/api/auth/callback/mixin");
  expect(to.searchParams.get("state")).toBe("s1");
  return to.searchParams.get("code")!;
}

describe("Sign in with Mixin", () => {
  it("the OAuth client exchanges a code (JSON, PKCE) and reads the profile through Mixin's envelopes", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const userId = crypto.randomUUID();
    const code = await authorize(userId, createHash("sha256").update(verifier).digest("base64url"));
    const exchange = mixinTokenFetch(cfg());
    const token = await exchange(cfg().tokenUrl, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "x" }),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as { access_token: string; token_type: string; scope: string };
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "PROFILE:READ" });
    const profile = await fetchMixinProfile(cfg(), tokens.access_token);
    expect(profile).toMatchObject({ user_id: userId, full_name: "Ada Payee" });
    expect(profileToUser(profile)).toMatchObject({ id: userId, name: "Ada Payee" });

    // The code is single-use, and a wrong verifier is refused.
    const again = await exchange(cfg().tokenUrl, {
      method: "POST",
      body: new URLSearchParams({ code, code_verifier: verifier }),
    });
    expect(again.status).toBe(400);
    const code2 = await authorize(userId, createHash("sha256").update(verifier).digest("base64url"));
    const wrong = await exchange(cfg().tokenUrl, {
      method: "POST",
      body: new URLSearchParams({ code: code2, code_verifier: "not-the-verifier-0123456789012345678901234" }),
    });
    expect(wrong.status).toBe(400);
    // An unknown bearer is not a Mixin user profile.
    await expect(fetchMixinProfile(cfg(), "forged")).rejects.toThrow(/Mixin profile/);
  });

  it("the first sign-in creates a merchant linked to the Mixin id as payee; it sees that payee's orders only; disabled is refused", async () => {
    const mixinUserId = crypto.randomUUID();
    const mine = await insertOrder(store.db, { payeeId: mixinUserId });
    await insertOrder(store.db, { payeeId: crypto.randomUUID() });

    const first = await signInWithMixin(store.db, { mixinUserId: mixinUserId.toUpperCase(), name: "Ada" });
    expect(first).toMatchObject({ role: "merchant", email: null, name: "Ada" });
    const again = await Promise.all([
      signInWithMixin(store.db, { mixinUserId, name: "Ada" }),
      signInWithMixin(store.db, { mixinUserId, name: "Ada" }),
    ]);
    expect(again.map((u) => u?.id)).toEqual([first!.id, first!.id]);
    expect(await store.db.select().from(users).where(eq(users.mixinUserId, mixinUserId))).toHaveLength(1);
    expect(
      (await store.db.select().from(userPayees).where(eq(userPayees.userId, first!.id))).map((l) => l.payeeId),
    ).toEqual([mixinUserId]);

    const caller = createCaller({ db: store.db, user: (await loadSessionUser(store.db, first!.id))! });
    expect((await caller.orders.list({})).items.map((o) => o.id)).toEqual([mine.id]);

    await store.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, first!.id));
    expect(await signInWithMixin(store.db, { mixinUserId, name: "Ada" })).toBeNull();
  });
});
