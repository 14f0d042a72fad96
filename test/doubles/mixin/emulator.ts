/**
 * A Mixin emulator for development and tests: a small HTTP server answering the part of Mixin's
 * Safe API that the broker's Mixin port calls through the real SDK (outputs, asset prices, ghost
 * keys, transaction requests, transactions, snapshots), with an in-memory ledger, a simulated
 * MixPay bot (and MixPay's payments_result API), and fault switches. Never used in production.
 *
 * As strict as Mixin where the broker could get it wrong: every bot call must carry the SDK's
 * signed session token (Ed25519 JWT over uid/sid/sig = sha256(method+uri+body)); a transaction
 * request must spend the bot's own unspent outputs of one asset with Σinputs = Σoutputs; a
 * posted signed raw must be the verified request byte for byte apart from its signatures; a
 * request id keeps the first bytes verified under it; a sent transaction is `signed` and turns
 * `spent` after `spendDelayMs` (the change comes back only then). Refusals use Mixin's shape:
 * HTTP 202 with {"error":{status,code,description}}.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, verify as verifySignature, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeSafeTransaction } from "@mixin.dev/mixin-node-sdk";
import Decimal from "decimal.js";
import { generateKeystore, type MixinKeystore } from "@/server/mixin/keystore";
import { refundMemoBase64 } from "@/server/mixin/memo";
import { createMixinOAuthDouble } from "./oauth";

export const DEFAULT_ASSETS: Record<string, { symbol: string; price: string; balance: string }> = {
  "4d8c508b-91c5-375b-92b0-ee702ed2dac5": { symbol: "USDT", price: "1", balance: "5000" },
  "c6d0c728-2624-429b-8e0d-d9d19b6592fa": { symbol: "BTC", price: "95000", balance: "0.05" },
  "43d61dcd-e413-450d-80b8-101d5e903357": { symbol: "ETH", price: "3500", balance: "1.5" },
};
/** The simulated MixPay bot (what MixPay sends as opponent_id in the emulated world). */
export const EMULATED_MIXPAY_BOT = "9c0a2b4e-6c1d-4e8f-9a7b-3d5e1f2a4b6c";

export type FaultMode = "500" | "timeout" | "drop-after-commit" | "insufficient";
export interface Fault {
  /** Matched against "METHOD /path". */
  pattern: string;
  mode: FaultMode;
  /** How many requests it applies to; unlimited when absent. */
  count?: number;
  /** For "timeout": how long to stall before answering normally. */
  delayMs?: number;
  /** Let this many matching requests through before the fault starts. */
  after?: number;
}

interface Utxo {
  /** Who may spend it: the bot's own outputs are the only ones it lists or spends. */
  owner: string;
  output_id: string;
  transaction_hash: string;
  output_index: number;
  asset: string;
  kernel_asset_id: string;
  asset_id: string;
  amount: string;
  mask: string;
  keys: string[];
  receivers: string[];
  receivers_threshold: number;
  senders: string[];
  threshold: number;
  extra: string;
  state: "unspent" | "signed" | "spent";
  sequence: number;
  created_at: string;
  updated_at: string;
}

interface TxRecord {
  request_id: string;
  transaction_hash: string;
  state: "unspent" | "signed" | "spent";
  /** The raw verified under this request id (unsigned); a send must match it. */
  verified_raw: string;
  /** When Mixin first received the transaction request (POST /safe/transaction/requests), epoch ms (absent in older saved states). */
  requested_at?: number;
  /** When it was signed (sent), for the signed → spent delay. */
  signed_at?: number;
  /** When it turned spent, epoch ms. */
  spent_at?: number;
  raw_transaction: string;
  asset_id: string;
  amount: string;
  views: string[];
  snapshot_id?: string;
  created_at: string;
  updated_at: string;
}

export interface Snapshot {
  snapshot_id: string;
  type: "snapshot";
  user_id: string;
  opponent_id: string;
  asset_id: string;
  kernel_asset_id: string;
  amount: string;
  memo: string;
  transaction_hash: string;
  request_id: string;
  trace_id: string;
  created_at: string;
  deposit: null;
  withdrawal: null;
}

export interface Settlement {
  traceId: string;
  assetId: string;
  amount: string;
  memo: string;
  snapshotId: string;
  refunded?: { code: string; snapshotId: string };
}

export interface MixinEmulator {
  url: string;
  port: number;
  /** The broker bot's keystore: valid key material, so the SDK's own signing runs. */
  keystore: MixinKeystore;
  mixpayBotId: string;
  settlements(): Settlement[];
  snapshots(): Snapshot[];
  balance(assetId: string): string;
  setFault(f: Fault): void;
  clearFaults(): void;
  /** The simulated MixPay bot sends a settlement back with memo base64(RF|trace_id|code). */
  refund(traceId: string, code?: string): Snapshot;
  topUp(assetId: string, amount: string): void;
  /**
   * An incoming transfer to the bot from anyone (default: the MixPay bot), as any Mixin user can
   * send: a UTF-8 `memo` or raw bytes as `memoHex` (e.g. "00ff"); `from: ""` gives a snapshot
   * with an empty opponent_id (as Mixin shows for some deposits and multisig senders).
   */
  receive(t: { assetId: string; amount: string; memo?: string; memoHex?: string; from?: string }): Snapshot;
  /** While frozen, every new snapshot gets the same created_at (ties across snapshot pages). */
  freezeClock(frozen: boolean): void;
  /** How long a sent transaction stays `signed` before it is `spent`. */
  setSpendDelay(ms: number): void;
  /** Signed raws posted to POST /safe/transactions, in order (for assertions on resends). */
  postedRaws(): { request_id: string; raw: string }[];
  /** Make the emulated payments_result answer this status for a trace ("unknown": no status at all, as for a trace MixPay never saw). */
  setPaymentResult(traceId: string, status: "unknown" | "failed" | "success" | "pending" | "unpaid"): void;
  /** When each transaction request arrived, was sent and was spent (epoch ms; for latency benchmarks). */
  transactionTimes(): { requestId: string; requestedAt?: number; sentAt?: number; spentAt?: number }[];
  /** Messages the bot sent (deduplicated by message_id, as Mixin does). */
  messages(): { message_id: string; recipient_id: string; text: string }[];
  /** Requests seen, "METHOD /path" (for assertions on retries). */
  requests(): string[];
  /** Everything the emulated Mixin holds (outputs, transactions, snapshots, the bot's keys), to start again from it (persist.ts). */
  exportState(): EmulatorState;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  port?: number;
  host?: string;
  keystore?: MixinKeystore;
  balances?: Record<string, string>;
  /** Split each initial balance into this many outputs (to exercise paging). */
  outputsPerAsset?: number;
  /** More assets beyond the three demo ones (id → symbol, price, balance), e.g. for benchmarks. */
  extraAssets?: Record<string, { symbol: string; price: string; balance: string }>;
  /** How long a sent transaction stays `signed` before it is `spent` (default 0: spent at once, so tests stay fast). */
  spendDelayMs?: number;
  /** Start with the snapshot clock frozen (every snapshot shares one created_at). */
  freezeClock?: boolean;
  /** false: the bot is not registered for Safe (GET /safe/me answers has_safe: false). */
  hasSafe?: boolean;
  /** Start from a state exported earlier (exportState) instead of fresh balances: `npm run dev` keeps Mixin's side next to its PGlite store. */
  state?: EmulatorState;
  /** Called after anything may have changed (each request, each control call), e.g. to save the state. */
  onChange?: () => void;
}

/** What exportState returns and `state` restores (JSON-safe). */
export interface EmulatorState {
  version: 1;
  keystore: MixinKeystore;
  utxos: Utxo[];
  txs: TxRecord[];
  snapshots: Snapshot[];
  settlements: Settlement[];
  ghostOwners: [string, string][];
  sequence: number;
  /** The snapshot clock in nanoseconds (a decimal string: it is a bigint). */
  clock: string;
}

/** Mixin's answer to a request without a valid session token. */
const UNAUTHORIZED = { code: 401, description: "Unauthorized, maybe invalid token." };

/** The session's Ed25519 public key from its 32-byte seed (what Mixin registered for the session). */
function sessionPublicKey(seedHex: string): KeyObject {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seedHex, "hex")]);
  return createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }));
}

/**
 * The check Mixin makes of a bot's call: an EdDSA JWT signed with the session key, whose uid and
 * sid are the bot's, not expired, and whose sig is sha256(METHOD + uri-with-query + body).
 */
export function checkSessionToken(authorization: string | undefined, method: string, uri: string, body: string, keystore: MixinKeystore, publicKey: KeyObject = sessionPublicKey(keystore.session_private_key)): boolean {
  const token = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!token) return false;
  const [, header, payload, signature] = token;
  try {
    const h = JSON.parse(Buffer.from(header!, "base64url").toString("utf8")) as { alg?: string };
    if (h.alg !== "EdDSA") return false;
    if (!verifySignature(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature!, "base64url"))) return false;
    const p = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as { uid?: string; sid?: string; exp?: number; sig?: string };
    if (p.uid !== keystore.app_id || p.sid !== keystore.session_id) return false;
    if (typeof p.exp !== "number" || p.exp * 1000 < Date.now()) return false;
    return p.sig === createHash("sha256").update(method.toUpperCase() + uri + body).digest("hex");
  } catch {
    return false;
  }
}

const kernelAssetId = (assetId: string) => createHash("sha256").update(assetId).digest("hex");
const hex32 = () => randomBytes(32).toString("hex");
/** A canonical (reduced) Ed25519 scalar: random bytes with the top byte cleared. */
const scalar = () => {
  const b = randomBytes(32);
  b[31] = 0;
  return b.toString("hex");
};

export async function startMixinEmulator(opts: EmulatorOptions = {}): Promise<MixinEmulator> {
  const keystore = opts.state?.keystore ?? opts.keystore ?? generateKeystore();
  const bot = keystore.app_id;
  const oauth = createMixinOAuthDouble({ clientId: bot });
  const assets = new Map(Object.entries({ ...DEFAULT_ASSETS, ...opts.extraAssets }).map(([id, a]) => [id, { ...a }]));
  const byKernel = new Map([...assets.keys()].map((id) => [kernelAssetId(id), id]));
  let utxos: Utxo[] = [];
  let txs = new Map<string, TxRecord>();
  let snaps: Snapshot[] = [];
  let settled: Settlement[] = [];
  let faults: Fault[] = [];
  let seen: string[] = [];
  const messages = new Map<string, { message_id: string; recipient_id: string; text: string }>();
  /** Ghost key → the user it was made for, so a transaction's outputs can be attributed. */
  const ghostOwners = new Map<string, string>();
  let sequence = 0;
  let clock = BigInt(Date.now()) * 1_000_000n;
  let frozen = opts.freezeClock ?? false;
  let spendDelayMs = opts.spendDelayMs ?? 0;
  let posted: { request_id: string; raw: string }[] = [];
  /** Sent transactions not yet spent (only these can change on a clock tick). */
  const signedTxs = new Set<TxRecord>();
  const sessionKey = sessionPublicKey(keystore.session_private_key);

  const nowNano = () => {
    if (!frozen) clock = BigInt(Date.now()) * 1_000_000n > clock ? BigInt(Date.now()) * 1_000_000n : clock + 1n;
    const ms = Number(clock / 1_000_000n);
    const iso = new Date(ms).toISOString().slice(0, 19);
    return `${iso}.${String(clock % 1_000_000_000n).padStart(9, "0")}Z`;
  };

  function addUtxo(assetId: string, amount: string, txHash: string, index: number, extra = "", owner = bot): Utxo {
    const now = nowNano();
    const u: Utxo = {
      owner,
      output_id: randomUUID(),
      transaction_hash: txHash,
      output_index: index,
      asset: kernelAssetId(assetId),
      kernel_asset_id: kernelAssetId(assetId),
      asset_id: assetId,
      amount,
      mask: hex32(),
      keys: [hex32()],
      receivers: [owner],
      receivers_threshold: 1,
      senders: [],
      threshold: 1,
      extra,
      state: "unspent",
      sequence: ++sequence,
      created_at: now,
      updated_at: now,
    };
    utxos.push(u);
    return u;
  }

  function addSnapshot(s: Omit<Snapshot, "snapshot_id" | "type" | "user_id" | "kernel_asset_id" | "created_at" | "deposit" | "withdrawal">): Snapshot {
    const snap: Snapshot = { snapshot_id: randomUUID(), type: "snapshot", user_id: bot, kernel_asset_id: kernelAssetId(s.asset_id), created_at: nowNano(), deposit: null, withdrawal: null, ...s };
    snaps.push(snap);
    return snap;
  }

  function seed() {
    utxos = [];
    txs = new Map();
    signedTxs.clear();
    snaps = [];
    settled = [];
    const parts = Math.max(1, opts.outputsPerAsset ?? 1);
    for (const [id, a] of assets) {
      const total = new Decimal(opts.balances?.[id] ?? a.balance);
      if (total.lte(0)) continue;
      const share = total.div(parts).toDecimalPlaces(8, Decimal.ROUND_DOWN);
      for (let i = 0; i < parts; i++) {
        const amount = i === parts - 1 ? total.minus(share.mul(parts - 1)) : share;
        addUtxo(id, amount.toFixed(), hex32(), 0);
      }
    }
  }
  if (opts.state) restore(opts.state);
  else seed();

  function restore(s: EmulatorState) {
    utxos = s.utxos.map((u) => ({ ...u }));
    txs = new Map(s.txs.map((t) => [t.request_id, { ...t }]));
    for (const t of txs.values()) if (t.state === "signed") signedTxs.add(t);
    snaps = [...s.snapshots];
    settled = s.settlements.map((x) => ({ ...x }));
    for (const [k, v] of s.ghostOwners) ghostOwners.set(k, v);
    sequence = s.sequence;
    clock = BigInt(s.clock);
  }

  function exportState(): EmulatorState {
    advance();
    return { version: 1, keystore, utxos, txs: [...txs.values()], snapshots: snaps, settlements: settled, ghostOwners: [...ghostOwners], sequence, clock: clock.toString() };
  }

  function balance(assetId: string): string {
    advance();
    return utxos
      .filter((u) => u.owner === bot && u.asset_id === assetId && u.state === "unspent")
      .reduce((s, u) => s.plus(u.amount), new Decimal(0))
      .toFixed();
  }

  function takeFault(key: string): Fault | undefined {
    const f = faults.find((x) => new RegExp(x.pattern).test(key));
    if (!f) return undefined;
    if (f.after) {
      f.after -= 1;
      return undefined;
    }
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) faults = faults.filter((x) => x !== f);
    }
    return f;
  }

  const ok = (res: ServerResponse, data: unknown) => send(res, 200, { data });
  const mixinError = (res: ServerResponse, code: number, description: string) => send(res, 202, { error: { status: 202, code, description } });

  const refusal = (code: number, description: string) => Object.assign(new Error(description), { mixinCode: code });

  /**
   * What Mixin checks of a transaction request: the bot's own unspent outputs of the
   * transaction's asset as inputs, outputs to known ghost keys, and Σinputs = Σoutputs.
   */
  function checkTransaction(raw: string): { tx: ReturnType<typeof decodeSafeTransaction>; inputs: Utxo[]; assetId: string } {
    let tx: ReturnType<typeof decodeSafeTransaction>;
    try {
      tx = decodeSafeTransaction(raw);
    } catch (e) {
      throw refusal(10002, `Invalid raw transaction: ${(e as Error).message}`);
    }
    if ((tx.signatureMap ?? []).length > 0) throw refusal(10002, "Invalid raw transaction: a transaction request is verified unsigned");
    const assetId = byKernel.get(tx.asset);
    if (!assetId) throw refusal(10002, "Invalid asset");
    if (tx.inputs.length === 0 || tx.outputs.length === 0) throw refusal(10002, "Invalid inputs or outputs");
    const inputs = tx.inputs.map((i) => {
      const u = utxos.find((x) => x.transaction_hash === i.hash && x.output_index === i.index);
      if (!u || u.owner !== bot) throw refusal(10002, `Invalid input ${i.hash}:${i.index}: not an output of this user`);
      if (u.asset !== tx.asset) throw refusal(10002, `Invalid input ${i.hash}:${i.index}: another asset`);
      if (u.state !== "unspent") throw refusal(10105, `Input ${i.hash}:${i.index} is ${u.state}, locked by another transaction`);
      return u;
    });
    if (new Set(inputs).size !== inputs.length) throw refusal(10002, "Invalid inputs: an output is spent twice");
    const sumIn = inputs.reduce((t, u) => t.plus(u.amount), new Decimal(0));
    const sumOut = tx.outputs.reduce((t, o) => t.plus(o.amount), new Decimal(0));
    if (!sumIn.eq(sumOut)) throw refusal(10002, `Invalid amount: inputs ${sumIn.toFixed()} != outputs ${sumOut.toFixed()}`);
    for (const o of tx.outputs) {
      if (new Decimal(o.amount).lte(0)) throw refusal(20120, "Amount too small");
      if (!ghostOwners.has(o.keys[0] ?? "")) throw refusal(10002, "Invalid output keys");
    }
    return { tx, inputs, assetId };
  }

  /**
   * The signed raw must be the verified raw with signatures appended: the same bytes up to the
   * signature count, then one signature map per input, each entry a uint16 index and 64 bytes.
   * (The SDK's decoder misreads signature maps, so this reads them by hand.)
   */
  function matchesVerified(verifiedRaw: string, signedRaw: string, inputs: number): boolean {
    const body = verifiedRaw.slice(0, -4).toLowerCase(); // without the uint16 "0 signatures"
    const raw = signedRaw.toLowerCase();
    if (!/^[0-9a-f]*$/.test(raw) || !raw.startsWith(body)) return false;
    const sigs = Buffer.from(raw.slice(body.length), "hex");
    let at = 0;
    const u16 = () => {
      if (at + 2 > sigs.length) throw new Error("short");
      const v = sigs.readUInt16BE(at);
      at += 2;
      return v;
    };
    try {
      if (u16() !== inputs) return false;
      for (let i = 0; i < inputs; i++) {
        const n = u16();
        if (n === 0) return false;
        for (let j = 0; j < n; j++) {
          u16();
          at += 64;
          if (at > sigs.length) return false;
        }
      }
    } catch {
      return false;
    }
    return at === sigs.length;
  }

  /** Send: the inputs are locked (`signed`); the transaction is spent after the delay. */
  function commit(rec: TxRecord, signedRaw: string): TxRecord {
    const { tx, inputs } = checkTransaction(rec.verified_raw);
    if (!matchesVerified(rec.verified_raw, signedRaw, tx.inputs.length)) throw refusal(10002, "Invalid raw: the signed transaction does not match the transaction request");
    for (const u of inputs) {
      u.state = "signed";
      u.updated_at = nowNano();
    }
    Object.assign(rec, { state: "signed", raw_transaction: signedRaw, signed_at: Date.now(), updated_at: nowNano() });
    signedTxs.add(rec);
    advance();
    return rec;
  }

  /** Signed transactions whose time has come are spent: outputs created, snapshots written. */
  function advance(): void {
    for (const rec of signedTxs) {
      if (rec.state !== "signed") signedTxs.delete(rec);
      else if (Date.now() - (rec.signed_at ?? 0) >= spendDelayMs) {
        signedTxs.delete(rec);
        spend(rec);
      }
    }
  }

  function spend(rec: TxRecord): void {
    const tx = decodeSafeTransaction(rec.verified_raw);
    const assetId = byKernel.get(tx.asset) ?? rec.asset_id;
    const txHash = rec.transaction_hash;
    for (const i of tx.inputs) {
      const u = utxos.find((x) => x.transaction_hash === i.hash && x.output_index === i.index)!;
      u.state = "spent";
      u.updated_at = nowNano();
    }
    let sent = new Decimal(0);
    let opponent = "";
    const memoHex = Buffer.from(tx.extra).toString("hex");
    tx.outputs.forEach((o, index) => {
      const owner = ghostOwners.get(o.keys[0] ?? "") ?? "unknown";
      addUtxo(assetId, new Decimal(o.amount).toFixed(), txHash, index, memoHex, owner);
      if (owner !== bot) {
        sent = sent.plus(o.amount);
        opponent ||= owner;
      }
    });
    const snap = addSnapshot({ opponent_id: opponent, asset_id: assetId, amount: sent.neg().toFixed(), memo: memoHex, transaction_hash: txHash, request_id: rec.request_id, trace_id: rec.request_id });
    if (opponent === EMULATED_MIXPAY_BOT) {
      settled.push({ traceId: rec.request_id, assetId, amount: sent.toFixed(), memo: Buffer.from(tx.extra).toString("utf8"), snapshotId: snap.snapshot_id });
    }
    Object.assign(rec, { state: "spent", snapshot_id: snap.snapshot_id, spent_at: Date.now(), updated_at: nowNano() });
  }

  function refund(traceId: string, code = "40025"): Snapshot {
    const s = settled.find((x) => x.traceId === traceId);
    if (!s) throw new Error(`the emulated MixPay never received trace ${traceId}`);
    if (s.refunded) return snaps.find((x) => x.snapshot_id === s.refunded!.snapshotId)!;
    const txHash = hex32();
    const memo = refundMemoBase64(traceId, code);
    addUtxo(s.assetId, s.amount, txHash, 0, Buffer.from(memo).toString("hex"));
    const snap = addSnapshot({ opponent_id: EMULATED_MIXPAY_BOT, asset_id: s.assetId, amount: s.amount, memo: Buffer.from(memo).toString("hex"), transaction_hash: txHash, request_id: randomUUID(), trace_id: "" });
    s.refunded = { code, snapshotId: snap.snapshot_id };
    return snap;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = url.pathname;
    const key = `${req.method} ${path}`;
    advance();
    if (!path.startsWith("/_emulator")) {
      seen.push(key);
      const fault = takeFault(key);
      if (fault?.mode === "500") return send(res, 500, { error: "emulated failure" });
      if (fault?.mode === "insufficient") return mixinError(res, 20117, "Insufficient balance.");
      if (fault?.mode === "timeout") await new Promise((r) => setTimeout(r, fault.delayMs ?? 15_000));
      if (fault?.mode === "drop-after-commit") {
        // Do the work, then lose the answer (as if the connection broke after Mixin committed).
        await route(req, url, body, { statusCode: 0, setHeader() {}, end() {} } as unknown as ServerResponse);
        return send(res, 500, { error: "emulated failure after commit" });
      }
    }
    return route(req, url, body, res);
  }

  async function route(req: IncomingMessage, url: URL, body: string, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    const json = () => (body ? (JSON.parse(body) as unknown) : undefined);
    if (oauth.handle(req, url, body, res)) return; // Sign in with Mixin (./oauth.ts)
    // Every bot call carries the session token; only MixPay's public API and the control routes do not.
    const open = path.startsWith("/_emulator") || path === "/v1/payments_result";
    if (!open && !checkSessionToken(req.headers.authorization, req.method ?? "GET", req.url ?? "/", body, keystore, sessionKey)) {
      return mixinError(res, UNAUTHORIZED.code, UNAUTHORIZED.description);
    }
    if (req.method === "GET" && (path === "/me" || path === "/safe/me")) return ok(res, { user_id: bot, type: "user", has_safe: opts.hasSafe ?? true, app_id: bot });

    if (req.method === "GET" && path === "/safe/outputs") {
      const asset = url.searchParams.get("asset");
      const state = url.searchParams.get("state");
      const offset = Number(url.searchParams.get("offset") ?? "0");
      const limit = Math.min(500, Number(url.searchParams.get("limit") ?? "500"));
      const page = utxos
        .filter((u) => u.owner === bot && (!asset || u.asset_id === asset || u.asset === asset) && (!state || u.state === state) && u.sequence > offset)
        .sort((a, b) => a.sequence - b.sequence)
        .slice(0, limit);
      return ok(res, page);
    }

    if (req.method === "POST" && path === "/safe/assets/fetch") {
      const ids = (json() as string[]) ?? [];
      return ok(res, ids.filter((id) => assets.has(id)).map((id) => assetView(id)));
    }
    if (req.method === "GET" && path.startsWith("/safe/assets/")) {
      const id = path.slice("/safe/assets/".length);
      return assets.has(id) ? ok(res, assetView(id)) : mixinError(res, 404, "Not found.");
    }

    if (req.method === "POST" && path === "/safe/keys") {
      const reqs = (json() as { receivers: string[]; index: number; hint: string }[]) ?? [];
      return ok(
        res,
        reqs.map((r) => {
          const keys = r.receivers.map((receiver) => {
            // Deterministic per (receiver, hint, index), as Mixin's are: a rebuilt transaction is identical.
            const k = createHash("sha256").update(`${receiver}|${r.hint}|${r.index}`).digest("hex");
            ghostOwners.set(k, receiver);
            return k;
          });
          return { mask: createHash("sha256").update(`mask|${r.hint}|${r.index}`).digest("hex"), keys };
        }),
      );
    }

    if (req.method === "POST" && path === "/safe/transaction/requests") {
      const reqs = (json() as { raw: string; request_id: string }[]) ?? [];
      const out = [];
      for (const { raw, request_id } of reqs) {
        // A request id keeps what was first verified under it (in any state): Mixin answers the
        // stored request, so a client that rebuilt other bytes must notice, not sign them.
        const existing = txs.get(request_id);
        if (existing) {
          out.push(txView(existing));
          continue;
        }
        let checked: ReturnType<typeof checkTransaction>;
        try {
          checked = checkTransaction(raw);
        } catch (e) {
          return mixinError(res, (e as { mixinCode?: number }).mixinCode ?? 10002, (e as Error).message);
        }
        const rec: TxRecord = {
          request_id,
          transaction_hash: createHash("sha256").update(raw.slice(0, -4)).digest("hex"),
          state: "unspent",
          verified_raw: raw,
          raw_transaction: raw,
          asset_id: checked.assetId,
          amount: checked.tx.outputs.reduce((t, o) => t.plus(o.amount), new Decimal(0)).toFixed(),
          views: checked.tx.inputs.map(() => scalar()),
          requested_at: Date.now(),
          created_at: nowNano(),
          updated_at: nowNano(),
        };
        txs.set(request_id, rec);
        out.push(txView(rec));
      }
      return ok(res, out);
    }

    if (req.method === "POST" && path === "/safe/transactions") {
      const reqs = (json() as { raw: string; request_id: string }[]) ?? [];
      const out = [];
      for (const { raw, request_id } of reqs) {
        posted.push({ request_id, raw });
        const rec = txs.get(request_id);
        if (!rec) return mixinError(res, 10002, `Invalid request_id ${request_id}: no transaction request`);
        // Already sent: Mixin answers what it holds (a client must compare raw_transaction).
        if (rec.state !== "unspent") {
          out.push(txView(rec));
          continue;
        }
        try {
          out.push(txView(commit(rec, raw)));
        } catch (e) {
          return mixinError(res, (e as { mixinCode?: number }).mixinCode ?? 10002, (e as Error).message);
        }
      }
      return ok(res, out);
    }

    if (req.method === "GET" && path.startsWith("/safe/transactions/")) {
      const rec = txs.get(path.slice("/safe/transactions/".length));
      return rec ? ok(res, txView(rec)) : mixinError(res, 404, "Not found.");
    }

    if (req.method === "GET" && path === "/safe/snapshots") {
      const offset = url.searchParams.get("offset") ?? "";
      const limit = Math.min(500, Number(url.searchParams.get("limit") ?? "500"));
      const asset = url.searchParams.get("asset");
      const page = snaps.filter((s) => s.created_at > offset && (!asset || s.asset_id === asset)).slice(0, limit);
      return ok(res, page);
    }

    if (req.method === "POST" && path === "/messages") {
      const list = json() as { message_id: string; recipient_id: string; data_base64: string }[] | { message_id: string; recipient_id: string; data_base64: string };
      for (const m of Array.isArray(list) ? list : [list]) {
        if (!messages.has(m.message_id)) messages.set(m.message_id, { message_id: m.message_id, recipient_id: m.recipient_id, text: Buffer.from(m.data_base64, "base64url").toString("utf8") });
      }
      return ok(res, []);
    }
    if (path === "/_emulator/messages" && req.method === "GET") return send(res, 200, [...messages.values()]);

    // The emulated MixPay's public payment-result API.
    if (req.method === "GET" && path === "/v1/payments_result") {
      const traceId = url.searchParams.get("traceId") ?? "";
      const forced = paymentResults.get(traceId);
      if (forced === "unknown") return send(res, 200, { code: 10404, success: false, message: "Not found", data: null, timestampMs: Date.now() });
      if (forced) return send(res, 200, { code: 0, success: true, message: "", data: { status: forced, traceId, failureCode: "" }, timestampMs: Date.now() });
      const s = settled.find((x) => x.traceId === traceId);
      const status = !s ? "unpaid" : s.refunded ? "failed" : "success";
      return send(res, 200, { code: 0, success: true, message: "", data: { status, traceId, failureCode: s?.refunded?.code ?? "" }, timestampMs: Date.now() });
    }

    // Control API for tests and by-hand demos.
    if (path === "/_emulator/state" && req.method === "GET") {
      return send(res, 200, { bot, mixpayBot: EMULATED_MIXPAY_BOT, balances: Object.fromEntries([...assets.keys()].map((id) => [id, balance(id)])), settlements: settled, snapshots: snaps.length, transactions: txs.size, faults });
    }
    if (path === "/_emulator/settlements" && req.method === "GET") return send(res, 200, settled);
    if (path === "/_emulator/keystore" && req.method === "GET") return send(res, 200, keystore);
    if (path === "/_emulator/refund" && req.method === "POST") {
      const { trace_id, code } = (json() ?? {}) as { trace_id?: string; code?: string };
      try {
        return send(res, 200, refund(String(trace_id), code));
      } catch (e) {
        return send(res, 404, { error: (e as Error).message });
      }
    }
    if (path === "/_emulator/receive" && req.method === "POST") {
      // Any Mixin user can send the bot any amount with any memo bytes: the control route for it.
      const b = (json() ?? {}) as { asset_id?: string; amount?: string; memo?: string; memo_hex?: string; from?: string };
      if (!b.asset_id || !assets.has(b.asset_id)) return send(res, 400, { error: "asset_id must be a known asset" });
      if (!b.amount || !/^\d+(\.\d{1,8})?$/.test(b.amount) || new Decimal(b.amount).lte(0)) return send(res, 400, { error: "amount must be a positive decimal with at most 8 places" });
      if (b.memo_hex !== undefined && !/^([0-9a-fA-F]{2})*$/.test(b.memo_hex)) return send(res, 400, { error: "memo_hex must be hex bytes" });
      return send(res, 200, receive({ assetId: b.asset_id, amount: b.amount, memo: b.memo, memoHex: b.memo_hex, from: b.from }));
    }
    if (path === "/_emulator/clock" && req.method === "POST") {
      const b = (json() ?? {}) as { frozen?: boolean; spend_delay_ms?: number };
      if (b.frozen !== undefined) frozen = b.frozen === true;
      if (typeof b.spend_delay_ms === "number" && b.spend_delay_ms >= 0) spendDelayMs = b.spend_delay_ms;
      return send(res, 200, { frozen, spendDelayMs });
    }
    if (path === "/_emulator/top-up" && req.method === "POST") {
      const { asset_id, amount } = (json() ?? {}) as { asset_id?: string; amount?: string };
      topUp(String(asset_id), String(amount));
      return send(res, 200, { balance: balance(String(asset_id)) });
    }
    if (path === "/_emulator/faults" && req.method === "POST") {
      faults.push(json() as Fault);
      return send(res, 200, faults);
    }
    if (path === "/_emulator/faults" && req.method === "DELETE") {
      faults = [];
      return send(res, 200, faults);
    }
    if (path === "/_emulator/reset" && req.method === "POST") {
      seed();
      faults = [];
      seen = [];
      posted = [];
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { error: { status: 404, code: 404, description: `no emulated route ${req.method} ${path}` } });
  }

  /** Test switch: forced payments_result answers per trace (see setPaymentResult). */
  const paymentResults = new Map<string, string>();

  function receive(t: { assetId: string; amount: string; memo?: string; memoHex?: string; from?: string }): Snapshot {
    const txHash = hex32();
    const memoHex = t.memoHex !== undefined ? t.memoHex.toLowerCase() : Buffer.from(t.memo ?? "").toString("hex");
    addUtxo(t.assetId, t.amount, txHash, 0, memoHex);
    return addSnapshot({ opponent_id: t.from ?? EMULATED_MIXPAY_BOT, asset_id: t.assetId, amount: t.amount, memo: memoHex, transaction_hash: txHash, request_id: randomUUID(), trace_id: "" });
  }

  function topUp(assetId: string, amount: string) {
    const txHash = hex32();
    addUtxo(assetId, amount, txHash, 0);
    addSnapshot({ opponent_id: randomUUID(), asset_id: assetId, amount, memo: "", transaction_hash: txHash, request_id: randomUUID(), trace_id: "" });
  }

  function assetView(id: string) {
    const a = assets.get(id)!;
    return { asset_id: id, chain_id: id, symbol: a.symbol, name: a.symbol, precision: 8, price_usd: a.price, price_btc: "0", change_usd: "0", kernel_asset_id: kernelAssetId(id), icon_url: "" };
  }

  function txView(r: TxRecord) {
    return {
      type: "kernel_transaction_request",
      request_id: r.request_id,
      trace_id: r.request_id,
      transaction_hash: r.transaction_hash,
      asset: kernelAssetId(r.asset_id),
      asset_id: r.asset_id,
      amount: r.amount,
      extra: "",
      user_id: bot,
      state: r.state,
      raw_transaction: r.raw_transaction,
      created_at: r.created_at,
      updated_at: r.updated_at,
      snapshot_id: r.snapshot_id ?? "",
      receivers: [],
      senders: [bot],
      senders_hash: "",
      senders_threshold: 1,
      signers: [],
      views: r.views,
    };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8"))
        .catch((e: unknown) => send(res, 500, { error: (e as Error).message }))
        .finally(() => opts.onChange?.());
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    keystore,
    mixpayBotId: EMULATED_MIXPAY_BOT,
    settlements: () => {
      advance();
      return settled.map((s) => ({ ...s }));
    },
    snapshots: () => {
      advance();
      return [...snaps];
    },
    balance,
    setFault: (f) => faults.push({ ...f }),
    clearFaults: () => {
      faults = [];
    },
    refund: (traceId, code) => {
      const s = refund(traceId, code);
      opts.onChange?.();
      return s;
    },
    receive: (t) => {
      const s = receive(t);
      opts.onChange?.();
      return s;
    },
    exportState,
    freezeClock: (on) => {
      frozen = on;
    },
    setSpendDelay: (ms) => {
      spendDelayMs = ms;
    },
    postedRaws: () => posted.map((p) => ({ ...p })),
    topUp: (assetId, amount) => {
      topUp(assetId, amount);
      opts.onChange?.();
    },
    setPaymentResult: (traceId, status) => {
      paymentResults.set(traceId, status);
    },
    requests: () => [...seen],
    transactionTimes: () => {
      advance();
      return [...txs.values()].map((r) => ({ requestId: r.request_id, requestedAt: r.requested_at, sentAt: r.signed_at, spentAt: r.spent_at }));
    },
    messages: () => [...messages.values()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.statusCode === 0) return;
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
