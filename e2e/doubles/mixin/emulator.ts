/**
 * A Mixin emulator for development and tests: a small HTTP server answering the part of Mixin's
 * Safe API that the broker's Mixin port calls through the real SDK (outputs, asset prices, ghost
 * keys, transaction requests, transactions, snapshots), with an in-memory ledger, a simulated
 * MixPay bot (and MixPay's payments_result API), and fault switches. Never used in production.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
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
  state: "unspent" | "spent";
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
  /** An incoming transfer to the bot from anyone (default: the MixPay bot) with a UTF-8 memo, e.g. a refund for a trace the broker never had. */
  receive(t: { assetId: string; amount: string; memo: string; from?: string }): Snapshot;
  /** Make the emulated payments_result answer this status for a trace ("unknown": no status at all, as for a trace MixPay never saw). */
  setPaymentResult(traceId: string, status: "unknown" | "failed" | "success" | "pending" | "unpaid"): void;
  /** Messages the bot sent (deduplicated by message_id, as Mixin does). */
  messages(): { message_id: string; recipient_id: string; text: string }[];
  /** Requests seen, "METHOD /path" (for assertions on retries). */
  requests(): string[];
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
  const keystore = opts.keystore ?? generateKeystore();
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

  const nowNano = () => {
    clock = BigInt(Date.now()) * 1_000_000n > clock ? BigInt(Date.now()) * 1_000_000n : clock + 1n;
    const ms = Number(clock / 1_000_000n);
    const iso = new Date(ms).toISOString().slice(0, 19);
    return `${iso}.${String(clock % 1_000_000_000n).padStart(9, "0")}Z`;
  };

  function addUtxo(assetId: string, amount: string, txHash: string, index: number, extra = ""): Utxo {
    const now = nowNano();
    const u: Utxo = {
      output_id: randomUUID(),
      transaction_hash: txHash,
      output_index: index,
      asset: kernelAssetId(assetId),
      kernel_asset_id: kernelAssetId(assetId),
      asset_id: assetId,
      amount,
      mask: hex32(),
      keys: [hex32()],
      receivers: [bot],
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
  seed();

  function balance(assetId: string): string {
    return utxos
      .filter((u) => u.asset_id === assetId && u.state === "unspent")
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

  /** Sign-and-send: spend the inputs, create the outputs, write both sides' snapshots. */
  function commit(rec: TxRecord, signedRaw: string): TxRecord {
    // The SDK's decoder cannot read a signed raw with several signatures, so the ledger reads the
    // unsigned raw the same request verified; the signed one must extend it.
    const unsignedBody = rec.raw_transaction.slice(0, -4);
    if (!signedRaw.startsWith(unsignedBody.slice(0, 64))) throw Object.assign(new Error("signed raw does not match the verified request"), { mixinCode: 10002 });
    const tx = decodeSafeTransaction(rec.raw_transaction);
    const assetId = byKernel.get(tx.asset) ?? rec.asset_id;
    const inputs = tx.inputs.map((i) => utxos.find((u) => u.transaction_hash === i.hash && u.output_index === i.index));
    if (inputs.some((u) => !u || u.state !== "unspent")) throw Object.assign(new Error("inputs already spent or unknown"), { mixinCode: 10105 });
    const txHash = createHash("sha256").update(signedRaw).digest("hex");
    for (const u of inputs) {
      u!.state = "spent";
      u!.updated_at = nowNano();
    }
    let sent = new Decimal(0);
    let opponent = "";
    const memoHex = Buffer.from(tx.extra).toString("hex");
    tx.outputs.forEach((o, index) => {
      const owner = ghostOwners.get(o.keys[0] ?? "") ?? "unknown";
      if (owner === bot) addUtxo(assetId, new Decimal(o.amount).toFixed(), txHash, index, memoHex);
      else {
        sent = sent.plus(o.amount);
        opponent ||= owner;
      }
    });
    const snap = addSnapshot({ opponent_id: opponent, asset_id: assetId, amount: sent.neg().toFixed(), memo: memoHex, transaction_hash: txHash, request_id: rec.request_id, trace_id: rec.request_id });
    if (opponent === EMULATED_MIXPAY_BOT) {
      settled.push({ traceId: rec.request_id, assetId, amount: sent.toFixed(), memo: Buffer.from(tx.extra).toString("utf8"), snapshotId: snap.snapshot_id });
    }
    Object.assign(rec, { state: "spent", transaction_hash: txHash, raw_transaction: signedRaw, snapshot_id: snap.snapshot_id, updated_at: nowNano() });
    return rec;
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
    if (req.method === "GET" && (path === "/me" || path === "/safe/me")) return ok(res, { user_id: bot, type: "user", has_safe: true, app_id: bot });

    if (req.method === "GET" && path === "/safe/outputs") {
      const asset = url.searchParams.get("asset");
      const state = url.searchParams.get("state");
      const offset = Number(url.searchParams.get("offset") ?? "0");
      const limit = Math.min(500, Number(url.searchParams.get("limit") ?? "500"));
      const page = utxos
        .filter((u) => (!asset || u.asset_id === asset || u.asset === asset) && (!state || u.state === state) && u.sequence > offset)
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
      return ok(
        res,
        reqs.map(({ raw, request_id }) => {
          const existing = txs.get(request_id);
          if (existing && existing.state !== "unspent") return txView(existing);
          const tx = decodeSafeTransaction(raw);
          const assetId = byKernel.get(tx.asset) ?? "";
          const rec: TxRecord = {
            request_id,
            transaction_hash: createHash("sha256").update(raw).digest("hex"),
            state: "unspent",
            raw_transaction: raw,
            asset_id: assetId,
            amount: tx.outputs.reduce((s, o) => s.plus(o.amount), new Decimal(0)).toFixed(),
            views: tx.inputs.map(() => scalar()),
            created_at: existing?.created_at ?? nowNano(),
            updated_at: nowNano(),
          };
          txs.set(request_id, rec);
          return txView(rec);
        }),
      );
    }

    if (req.method === "POST" && path === "/safe/transactions") {
      const reqs = (json() as { raw: string; request_id: string }[]) ?? [];
      const out = [];
      for (const { raw, request_id } of reqs) {
        const rec = txs.get(request_id);
        if (!rec) return mixinError(res, 10002, `unknown request_id ${request_id}`);
        if (rec.state === "spent") {
          out.push(txView(rec));
          continue;
        }
        try {
          out.push(txView(commit(rec, raw)));
        } catch (e) {
          const code = (e as { mixinCode?: number }).mixinCode ?? 10002;
          return mixinError(res, code, (e as Error).message);
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
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { error: { status: 404, code: 404, description: `no emulated route ${req.method} ${path}` } });
  }

  /** Test switch: forced payments_result answers per trace (see setPaymentResult). */
  const paymentResults = new Map<string, string>();

  function receive(t: { assetId: string; amount: string; memo: string; from?: string }): Snapshot {
    const txHash = hex32();
    const memoHex = Buffer.from(t.memo).toString("hex");
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
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e: unknown) => send(res, 500, { error: (e as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    keystore,
    mixpayBotId: EMULATED_MIXPAY_BOT,
    settlements: () => settled.map((s) => ({ ...s })),
    snapshots: () => [...snaps],
    balance,
    setFault: (f) => faults.push({ ...f }),
    clearFaults: () => {
      faults = [];
    },
    refund,
    receive,
    topUp,
    setPaymentResult: (traceId, status) => {
      paymentResults.set(traceId, status);
    },
    requests: () => [...seen],
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
