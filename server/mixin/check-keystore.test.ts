import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { checkMixinKeystore, KeystoreCheckError } from "./check-keystore";
import { generateKeystore } from "./keystore";

let emu: MixinEmulator;
let unregistered: MixinEmulator;
beforeAll(async () => {
  emu = await startMixinEmulator();
  unregistered = await startMixinEmulator({ hasSafe: false });
});
afterAll(async () => {
  await emu.close();
  await unregistered.close();
});

describe("checkMixinKeystore (the start-up check against Mixin)", () => {
  it("passes for the bot's own keystore", async () => {
    const warn = vi.fn();
    expect(await checkMixinKeystore(emu.keystore, { baseUrl: emu.url, production: true, warn })).toEqual({ ok: true });
    expect(warn).not.toHaveBeenCalled();
  });

  it("stops a production start when Mixin refuses the session key, with a clear message", async () => {
    const bad = { ...emu.keystore, session_private_key: generateKeystore().session_private_key };
    const e = await checkMixinKeystore(bad, { baseUrl: emu.url, production: true, warn: vi.fn() }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(KeystoreCheckError);
    expect((e as Error).message).toMatch(
      /^Mixin keystore check failed for bot .+: Mixin refused the bot's session token \(401\)/,
    );
    expect((e as Error).message).not.toContain(bad.session_private_key);
  });

  it("only warns in development", async () => {
    const warn = vi.fn();
    const bad = { ...emu.keystore, session_id: crypto.randomUUID() };
    expect(await checkMixinKeystore(bad, { baseUrl: emu.url, production: false, warn })).toMatchObject({ ok: false });
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/refused the bot's session token.*development: starting anyway/),
    );
  });

  it("stops a production start for a bot not registered for Safe, or Mixin out of reach", async () => {
    await expect(
      checkMixinKeystore(unregistered.keystore, { baseUrl: unregistered.url, production: true, warn: vi.fn() }),
    ).rejects.toThrow(/not registered for Safe \(has_safe is false\)/);
    await expect(
      checkMixinKeystore(emu.keystore, {
        baseUrl: "http://127.0.0.1:9",
        timeoutMs: 1000,
        production: true,
        warn: vi.fn(),
      }),
    ).rejects.toThrow(/Mixin keystore check failed .*Mixin could not read the bot's profile/);
  });
});
