/**
 * The emulated Mixin's ledger, with no HTTP: the bot's outputs (UTXOs) and snapshots on Mixin's
 * nanosecond clock, ghost keys, the bot's transactions (transactions.ts), the messages it sent,
 * and the simulated MixPay bot (settlements it received, refunds it sends back, payments_result
 * answers). Refusals are thrown as MixinRefusal (Mixin's code and description).
 */
import { createHash, randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import type { MixinKeystore } from "@/server/mixin/keystore";
import { refundMemoBase64 } from "@/server/mixin/memo";
import {
  EMULATED_MIXPAY_BOT,
  hex32,
  kernelAssetId,
  type AssetInfo,
  type EmulatorState,
  type PaymentResultStatus,
  type SentMessage,
  type Settlement,
  type Snapshot,
  type Utxo,
} from "./model";
import { MixinTransactions, type OutputBook } from "./transactions";

export interface LedgerOptions {
  keystore: MixinKeystore;
  assets: Record<string, AssetInfo>;
  /** Initial balances by asset id (default: each asset's own). */
  balances?: Record<string, string>;
  /** Split each initial balance into this many outputs (to exercise paging). */
  outputsPerAsset?: number;
  spendDelayMs?: number;
  freezeClock?: boolean;
  /** Start from a saved state instead of fresh balances. */
  state?: EmulatorState;
}

type NewSnapshot = Parameters<OutputBook["addSnapshot"]>[0];

export class MixinLedger implements OutputBook {
  readonly keystore: MixinKeystore;
  readonly bot: string;
  readonly assets: Map<string, AssetInfo>;
  readonly byKernel: Map<string, string>;
  readonly mixpayBot = EMULATED_MIXPAY_BOT;
  /** The bot's transaction requests and sends. */
  readonly tx: MixinTransactions;
  private utxos: Utxo[] = [];
  private snaps: Snapshot[] = [];
  private settled: Settlement[] = [];
  /** Ghost key → the user it was made for, so a transaction's outputs can be attributed. */
  private readonly ghostOwners = new Map<string, string>();
  private readonly sentMessages = new Map<string, SentMessage>();
  /** Test switch: forced payments_result answers per trace. */
  private readonly paymentResults = new Map<string, PaymentResultStatus>();
  private sequence = 0;
  private clock = BigInt(Date.now()) * 1_000_000n;
  /** While frozen, every new snapshot gets the same created_at. */
  frozen: boolean;

  constructor(private readonly opts: LedgerOptions) {
    this.keystore = opts.keystore;
    this.bot = opts.keystore.app_id;
    this.assets = new Map(Object.entries(opts.assets).map(([id, a]) => [id, { ...a }]));
    this.byKernel = new Map([...this.assets.keys()].map((id) => [kernelAssetId(id), id]));
    this.frozen = opts.freezeClock ?? false;
    this.tx = new MixinTransactions(this, opts.spendDelayMs ?? 0);
    if (opts.state) this.restore(opts.state);
    else this.seed();
  }

  nowNano(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    if (!this.frozen) this.clock = now > this.clock ? now : this.clock + 1n;
    const ms = Number(this.clock / 1_000_000n);
    const iso = new Date(ms).toISOString().slice(0, 19);
    return `${iso}.${String(this.clock % 1_000_000_000n).padStart(9, "0")}Z`;
  }

  addUtxo(assetId: string, amount: string, txHash: string, index: number, extra = "", owner = this.bot): Utxo {
    const now = this.nowNano();
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
      sequence: ++this.sequence,
      created_at: now,
      updated_at: now,
    };
    this.utxos.push(u);
    return u;
  }

  addSnapshot(s: NewSnapshot): Snapshot {
    const snap: Snapshot = {
      snapshot_id: randomUUID(),
      type: "snapshot",
      user_id: this.bot,
      kernel_asset_id: kernelAssetId(s.asset_id),
      created_at: this.nowNano(),
      deposit: null,
      withdrawal: null,
      ...s,
    };
    this.snaps.push(snap);
    return snap;
  }

  /** Fresh balances: each asset's initial balance split into `outputsPerAsset` outputs. */
  seed(): void {
    this.utxos = [];
    this.tx.clear();
    this.snaps = [];
    this.settled = [];
    const parts = Math.max(1, this.opts.outputsPerAsset ?? 1);
    for (const [id, a] of this.assets) {
      const total = new Decimal(this.opts.balances?.[id] ?? a.balance);
      if (total.lte(0)) continue;
      const share = total.div(parts).toDecimalPlaces(8, Decimal.ROUND_DOWN);
      for (let i = 0; i < parts; i++) {
        const amount = i === parts - 1 ? total.minus(share.mul(parts - 1)) : share;
        this.addUtxo(id, amount.toFixed(), hex32(), 0);
      }
    }
  }

  private restore(s: EmulatorState): void {
    this.utxos = s.utxos.map((u) => ({ ...u }));
    this.tx.load(s.txs);
    this.snaps = [...s.snapshots];
    this.settled = s.settlements.map((x) => ({ ...x }));
    for (const [k, v] of s.ghostOwners) this.ghostOwners.set(k, v);
    this.sequence = s.sequence;
    this.clock = BigInt(s.clock);
  }

  exportState(): EmulatorState {
    this.advance();
    return {
      version: 1,
      keystore: this.keystore,
      utxos: this.utxos,
      txs: this.tx.list(),
      snapshots: this.snaps,
      settlements: this.settled,
      ghostOwners: [...this.ghostOwners],
      sequence: this.sequence,
      clock: this.clock.toString(),
    };
  }

  balance(assetId: string): string {
    this.advance();
    return this.utxos
      .filter((u) => u.owner === this.bot && u.asset_id === assetId && u.state === "unspent")
      .reduce((s, u) => s.plus(u.amount), new Decimal(0))
      .toFixed();
  }

  /** GET /safe/outputs: the bot's outputs after `offset` (a sequence), in sequence order. */
  outputs(q: { asset?: string | null; state?: string | null; offset: number; limit: number }): Utxo[] {
    return this.utxos
      .filter(
        (u) =>
          u.owner === this.bot &&
          (!q.asset || u.asset_id === q.asset || u.asset === q.asset) &&
          (!q.state || u.state === q.state) &&
          u.sequence > q.offset,
      )
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, q.limit);
  }

  /** GET /safe/snapshots: created after `offset` (a created_at), in order. */
  snapshotPage(q: { offset: string; limit: number; asset?: string | null }): Snapshot[] {
    return this.snaps.filter((s) => s.created_at > q.offset && (!q.asset || s.asset_id === q.asset)).slice(0, q.limit);
  }

  snapshots(): Snapshot[] {
    return this.snaps;
  }

  settlements(): Settlement[] {
    return this.settled;
  }

  /** POST /safe/keys: deterministic per (receiver, hint, index), as Mixin's are, so a rebuilt transaction is identical. */
  ghostKeys(reqs: { receivers: string[]; index: number; hint: string }[]): { mask: string; keys: string[] }[] {
    return reqs.map((r) => {
      const keys = r.receivers.map((receiver) => {
        const k = createHash("sha256").update(`${receiver}|${r.hint}|${r.index}`).digest("hex");
        this.ghostOwners.set(k, receiver);
        return k;
      });
      return { mask: createHash("sha256").update(`mask|${r.hint}|${r.index}`).digest("hex"), keys };
    });
  }

  findOutput(hash: string, index: number): Utxo | undefined {
    return this.utxos.find((x) => x.transaction_hash === hash && x.output_index === index);
  }

  isGhostKey(key: string): boolean {
    return this.ghostOwners.has(key);
  }

  ghostOwner(key: string): string | undefined {
    return this.ghostOwners.get(key);
  }

  /** Signed transactions whose time has come are spent. */
  advance(): void {
    this.tx.advance();
  }

  settle(s: Settlement): void {
    this.settled.push(s);
  }

  /** The simulated MixPay bot sends a settlement back with memo base64(RF|trace_id|code). */
  refund(traceId: string, code = "40025"): Snapshot {
    const s = this.settled.find((x) => x.traceId === traceId);
    if (!s) throw new Error(`the emulated MixPay never received trace ${traceId}`);
    if (s.refunded) return this.snaps.find((x) => x.snapshot_id === s.refunded!.snapshotId)!;
    const txHash = hex32();
    const memo = refundMemoBase64(traceId, code);
    this.addUtxo(s.assetId, s.amount, txHash, 0, Buffer.from(memo).toString("hex"));
    const snap = this.addSnapshot({
      opponent_id: EMULATED_MIXPAY_BOT,
      asset_id: s.assetId,
      amount: s.amount,
      memo: Buffer.from(memo).toString("hex"),
      transaction_hash: txHash,
      request_id: randomUUID(),
      trace_id: "",
    });
    s.refunded = { code, snapshotId: snap.snapshot_id };
    return snap;
  }

  /** An incoming transfer to the bot from anyone (default: the MixPay bot). */
  receive(t: { assetId: string; amount: string; memo?: string; memoHex?: string; from?: string }): Snapshot {
    const txHash = hex32();
    const memoHex = t.memoHex !== undefined ? t.memoHex.toLowerCase() : Buffer.from(t.memo ?? "").toString("hex");
    this.addUtxo(t.assetId, t.amount, txHash, 0, memoHex);
    return this.addSnapshot({
      opponent_id: t.from ?? EMULATED_MIXPAY_BOT,
      asset_id: t.assetId,
      amount: t.amount,
      memo: memoHex,
      transaction_hash: txHash,
      request_id: randomUUID(),
      trace_id: "",
    });
  }

  topUp(assetId: string, amount: string): void {
    const txHash = hex32();
    this.addUtxo(assetId, amount, txHash, 0);
    this.addSnapshot({
      opponent_id: randomUUID(),
      asset_id: assetId,
      amount,
      memo: "",
      transaction_hash: txHash,
      request_id: randomUUID(),
      trace_id: "",
    });
  }

  /** POST /messages: deduplicated by message_id, as Mixin does. */
  recordMessages(list: { message_id: string; recipient_id: string; data_base64: string }[]): void {
    for (const m of list) {
      if (!this.sentMessages.has(m.message_id))
        this.sentMessages.set(m.message_id, {
          message_id: m.message_id,
          recipient_id: m.recipient_id,
          text: Buffer.from(m.data_base64, "base64url").toString("utf8"),
        });
    }
  }

  messages(): SentMessage[] {
    return [...this.sentMessages.values()];
  }

  setPaymentResult(traceId: string, status: PaymentResultStatus): void {
    this.paymentResults.set(traceId, status);
  }

  /** What the emulated MixPay's payments_result says of a trace: forced by a test, else from what the MixPay bot received. */
  paymentResult(traceId: string): { status: PaymentResultStatus; failureCode: string } {
    const forced = this.paymentResults.get(traceId);
    if (forced) return { status: forced, failureCode: "" };
    const s = this.settled.find((x) => x.traceId === traceId);
    return { status: !s ? "unpaid" : s.refunded ? "failed" : "success", failureCode: s?.refunded?.code ?? "" };
  }
}
