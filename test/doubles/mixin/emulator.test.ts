import {
  buildSafeTransaction,
  buildSafeTransactionRecipient,
  encodeSafeTransaction,
  MixinApi,
  ResponseError,
  signAccessToken,
  signSafeTransaction,
  type SafeUtxoOutput,
} from "@mixin.dev/mixin-node-sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateKeystore } from "@/server/mixin/keystore";
import { SafeMixinPort } from "@/server/mixin/mixin-port";
import { EMULATED_MIXPAY_BOT, startMixinEmulator, type MixinEmulator } from "./emulator";

/**
 * The emulator refuses what Mixin refuses, through the real SDK client and HTTP: a call without
 * the bot's valid session token, a transaction spending someone else's output, unbalanced sums,
 * and a signed raw that is not the verified request.
 */
const USDT = "4d8c508b-91c5-375b-92b0-ee702ed2dac5";

let emu: MixinEmulator;
let client: ReturnType<typeof MixinApi>;
beforeAll(async () => {
  emu = await startMixinEmulator({ outputsPerAsset: 4 });
  const { spend_private_key: _s, ...keystore } = emu.keystore;
  void _s;
  client = MixinApi({ keystore, requestConfig: { baseURL: emu.url, retry: -1 } });
});
afterAll(async () => emu.close());
afterEach(() => {
  emu.setSpendDelay(0);
  emu.freezeClock(false);
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ResponseError,
  );
const outputs = () =>
  client.utxo.safeOutputs({ members: [emu.keystore.app_id], threshold: 1, asset: USDT, state: "unspent" });

/** A USDT transaction from the given outputs: `amount` to MixPay's bot, `change` back to the bot. */
async function build(utxos: SafeUtxoOutput[], requestId: string, amount: string, change?: string, memo = "m") {
  const rs = [buildSafeTransactionRecipient([EMULATED_MIXPAY_BOT], 1, amount)];
  if (change) rs.push(buildSafeTransactionRecipient([emu.keystore.app_id], 1, change));
  const ghosts = await client.utxo.ghostKey(rs, requestId, emu.keystore.spend_private_key);
  return buildSafeTransaction(utxos, rs, ghosts, Buffer.from(memo));
}

describe("the Mixin emulator checks the session token as Mixin does", () => {
  it("answers the bot's signed calls", async () => {
    expect(await client.safe.checkRegisteration()).toMatchObject({ user_id: emu.keystore.app_id, has_safe: true });
  });

  it("refuses a token signed with another session key, with Mixin's 401 shape (HTTP 202)", async () => {
    const forged = { ...emu.keystore, session_private_key: generateKeystore().session_private_key };
    const other = MixinApi({ keystore: forged, requestConfig: { baseURL: emu.url, retry: -1 } });
    const e = await refusal(other.utxo.safeOutputs({ members: [emu.keystore.app_id], threshold: 1 }));
    expect(e).toBeInstanceOf(ResponseError);
    expect(e).toMatchObject({ code: 401, status: 202, description: "Unauthorized, maybe invalid token." });
  });

  it("refuses another user's session, a missing token, and a token signed for another body", async () => {
    const stranger = MixinApi({ keystore: generateKeystore(), requestConfig: { baseURL: emu.url, retry: -1 } });
    expect(await refusal(stranger.safe.checkRegisteration())).toMatchObject({ code: 401 });
    const bare = await fetch(`${emu.url}/safe/me`);
    expect(bare.status).toBe(202);
    expect(await bare.json()).toEqual({
      error: { status: 202, code: 401, description: "Unauthorized, maybe invalid token." },
    });
    // A valid token for one body replayed with another (sig = sha256(method + uri + body)).
    const token = signAccessToken(
      "POST",
      "/safe/assets/fetch",
      JSON.stringify([USDT]),
      crypto.randomUUID(),
      emu.keystore,
    );
    const post = (body: string) =>
      fetch(`${emu.url}/safe/assets/fetch`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
    expect(((await (await post(JSON.stringify([USDT]))).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(await (await post(JSON.stringify(["c6d0c728-2624-429b-8e0d-d9d19b6592fa"]))).json()).toMatchObject({
      error: { code: 401 },
    });
  });
});

describe("the Mixin emulator checks transactions as Mixin does", () => {
  it("refuses an input that is not the bot's unspent output", async () => {
    const [mine] = await outputs();
    const foreign = { ...mine!, transaction_hash: "ab".repeat(32) };
    const tx = await build([foreign], crypto.randomUUID(), mine!.amount);
    const e = await refusal(
      client.utxo.verifyTransaction([{ raw: encodeSafeTransaction(tx), request_id: crypto.randomUUID() }]),
    );
    expect(e).toMatchObject({
      code: 10002,
      status: 202,
      description: expect.stringContaining("not an output of this user"),
    });

    // An output that exists but belongs to MixPay's bot (what a settlement paid it).
    const port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
    const paid = await port.transfer({
      requestId: crypto.randomUUID(),
      assetId: USDT,
      amount: "1",
      opponentId: EMULATED_MIXPAY_BOT,
      memo: "x",
    });
    const theirs = { ...mine!, transaction_hash: paid.transactionHash!, output_index: 0, amount: "1" };
    const e2 = await refusal(
      client.utxo.verifyTransaction([
        {
          raw: encodeSafeTransaction(await build([theirs], crypto.randomUUID(), "1")),
          request_id: crypto.randomUUID(),
        },
      ]),
    );
    expect(e2).toMatchObject({ code: 10002, description: expect.stringContaining("not an output of this user") });
  });

  it("refuses inputs and outputs whose sums differ", async () => {
    const [mine] = await outputs();
    const id = crypto.randomUUID();
    const tx = await build([mine!], id, "1"); // no change output: Σout < Σin
    const e = await refusal(client.utxo.verifyTransaction([{ raw: encodeSafeTransaction(tx), request_id: id }]));
    expect(e).toMatchObject({ code: 10002, description: expect.stringMatching(/^Invalid amount/) });
  });

  it("refuses a signed raw that is not the verified request, and keeps the first bytes under a request id", async () => {
    const [mine] = await outputs();
    const id = crypto.randomUUID();
    const change = (Number(mine!.amount) - 1).toString();
    const tx = await build([mine!], id, "1", change, "first");
    const raw = encodeSafeTransaction(tx);
    const [verified] = await client.utxo.verifyTransaction([{ raw, request_id: id }]);
    expect(verified).toMatchObject({ state: "unspent", raw_transaction: raw });

    // Other bytes verified under the same id: Mixin answers the stored request.
    const other = await build([mine!], id, "1", change, "second");
    const [again] = await client.utxo.verifyTransaction([{ raw: encodeSafeTransaction(other), request_id: id }]);
    expect(again!.raw_transaction).toBe(raw);

    // A signed version of the other bytes under this id is refused.
    const wrong = signSafeTransaction(other, verified!.views, emu.keystore.spend_private_key);
    expect(await refusal(client.utxo.sendTransactions([{ raw: wrong, request_id: id }]))).toMatchObject({
      code: 10002,
      description: expect.stringContaining("does not match"),
    });
    // So is the verified raw without signatures, or with a truncated signature.
    expect(await refusal(client.utxo.sendTransactions([{ raw, request_id: id }]))).toMatchObject({ code: 10002 });
    const signed = signSafeTransaction(tx, verified!.views, emu.keystore.spend_private_key);
    expect(await refusal(client.utxo.sendTransactions([{ raw: signed.slice(0, -2), request_id: id }]))).toMatchObject({
      code: 10002,
    });
    expect(emu.settlements().find((s) => s.traceId === id)).toBeUndefined();

    // The right bytes go through, and a repeat answers what Mixin holds.
    const [sent] = await client.utxo.sendTransactions([{ raw: signed, request_id: id }]);
    expect(sent).toMatchObject({ state: "spent", raw_transaction: signed });
    const [repeat] = await client.utxo.sendTransactions([{ raw: wrong, request_id: id }]);
    expect(repeat!.raw_transaction).toBe(signed);
    expect(emu.settlements().filter((s) => s.traceId === id)).toHaveLength(1);
  });

  it("keeps a sent transaction signed until the spend delay passes; the change appears only then", async () => {
    emu.setSpendDelay(300);
    const before = await outputs();
    const port = new SafeMixinPort({ keystore: emu.keystore, baseUrl: emu.url, retries: -1 });
    const id = crypto.randomUUID();
    const t0 = Date.now();
    const sent = await port.transfer({
      requestId: id,
      assetId: USDT,
      amount: "0.5",
      opponentId: EMULATED_MIXPAY_BOT,
      memo: "x",
    });
    expect(sent.state).toBe("signed");
    const stamped = emu.transactionTimes().find((t) => t.requestId === id)!;
    expect(stamped.requestedAt).toBeGreaterThanOrEqual(t0);
    expect(stamped.sentAt).toBeGreaterThanOrEqual(stamped.requestedAt!);
    expect(stamped.spentAt).toBeUndefined();
    const during = await outputs();
    expect(during.length).toBe(before.length - 1); // the input is locked, no change yet
    expect(emu.settlements().find((s) => s.traceId === id)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 350));
    expect((await port.lookupTransfer(id))?.state).toBe("spent");
    expect(emu.transactionTimes().find((t) => t.requestId === id)!.spentAt).toBeGreaterThanOrEqual(
      stamped.sentAt! + 300,
    );
    const after = await outputs();
    expect(after.length).toBe(before.length); // the change output is back
    expect(emu.settlements().filter((s) => s.traceId === id)).toHaveLength(1);
  });
});

describe("the Mixin emulator's incoming transfers and snapshot clock", () => {
  it("delivers any incoming transfer over POST /_emulator/receive, with arbitrary memo bytes and an empty opponent", async () => {
    const res = await fetch(`${emu.url}/_emulator/receive`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ asset_id: USDT, amount: "0.25", memo_hex: "00ff52467c", from: "" }),
    });
    expect(res.status).toBe(200);
    const snap = (await res.json()) as { snapshot_id: string; memo: string; opponent_id: string };
    expect(snap).toMatchObject({ memo: "00ff52467c", opponent_id: "" });
    const listed = await client.safe.fetchSafeSnapshots({ limit: 500 });
    expect(listed.find((s) => s.snapshot_id === snap.snapshot_id)).toMatchObject({
      amount: "0.25",
      memo: "00ff52467c",
      opponent_id: "",
    });
    const bad = await fetch(`${emu.url}/_emulator/receive`, {
      method: "POST",
      body: JSON.stringify({ asset_id: USDT, amount: "1", memo_hex: "zz" }),
    });
    expect(bad.status).toBe(400);
    expect(
      emu.receive({ assetId: USDT, amount: "1", memo: "RF|x|1", from: "3f0c0c53-0000-4000-8000-000000000001" }),
    ).toMatchObject({ memo: Buffer.from("RF|x|1").toString("hex") });
  });

  it("can freeze the clock so snapshots share created_at", async () => {
    emu.freezeClock(true);
    const a = emu.receive({ assetId: USDT, amount: "1", memo: "a" });
    const b = emu.receive({ assetId: USDT, amount: "1", memo: "b" });
    const c = emu.receive({ assetId: USDT, amount: "1", memo: "c" });
    expect(new Set([a.created_at, b.created_at, c.created_at]).size).toBe(1);
    emu.freezeClock(false);
    expect(emu.receive({ assetId: USDT, amount: "1", memo: "d" }).created_at > c.created_at).toBe(true);
  });
});
