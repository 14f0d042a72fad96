/**
 * The bot's transactions at the emulated Mixin, with no HTTP: a transaction request is verified
 * and kept under its request id; a send locks the inputs (`signed`); after the spend delay the
 * transaction is `spent` — the inputs spent, its outputs created (the change back to the bot) and
 * a snapshot written. Refusals are thrown as MixinRefusal.
 */
import { createHash } from "node:crypto";
import { decodeSafeTransaction } from "@mixin.dev/mixin-node-sdk";
import Decimal from "decimal.js";
import {
  MixinRefusal,
  scalar,
  txView,
  type Settlement,
  type Snapshot,
  type TxRecord,
  type TxView,
  type Utxo,
} from "./model";
import { checkTransaction, matchesVerified, type CheckContext } from "./transaction-check";

/** What transactions need of the ledger (ledger.ts): its outputs, ghost keys, clock and snapshots. */
export interface OutputBook extends CheckContext {
  ghostOwner(key: string): string | undefined;
  /** The snapshot clock, as Mixin's nanosecond timestamps. */
  nowNano(): string;
  addUtxo(assetId: string, amount: string, txHash: string, index: number, extra?: string, owner?: string): Utxo;
  addSnapshot(
    s: Omit<Snapshot, "snapshot_id" | "type" | "user_id" | "kernel_asset_id" | "created_at" | "deposit" | "withdrawal">,
  ): Snapshot;
  /** A transfer reached the simulated MixPay bot. */
  settle(s: Settlement): void;
  mixpayBot: string;
}

/** Any failure while checking a transaction is Mixin's refusal (10002 unless it says otherwise). */
const asRefusal = (e: unknown) => (e instanceof MixinRefusal ? e : new MixinRefusal(10002, (e as Error).message));

export class MixinTransactions {
  private txs = new Map<string, TxRecord>();
  /** Sent transactions not yet spent (only these can change on a clock tick). */
  private readonly signedTxs = new Set<TxRecord>();
  /** Signed raws posted to POST /safe/transactions, in order. */
  posted: { request_id: string; raw: string }[] = [];

  constructor(
    private readonly book: OutputBook,
    /** How long a sent transaction stays `signed` before it is `spent`. */
    public spendDelayMs: number,
  ) {}

  clear(): void {
    this.txs = new Map();
    this.signedTxs.clear();
  }

  load(list: TxRecord[]): void {
    this.txs = new Map(list.map((t) => [t.request_id, { ...t }]));
    for (const t of this.txs.values()) if (t.state === "signed") this.signedTxs.add(t);
  }

  list(): TxRecord[] {
    return [...this.txs.values()];
  }

  /** GET /safe/transactions/:id. */
  view(requestId: string): TxView | undefined {
    const rec = this.txs.get(requestId);
    return rec && txView(rec, this.book.bot);
  }

  /**
   * POST /safe/transaction/requests. A request id keeps what was first verified under it (in any
   * state): Mixin answers the stored request, so a client that rebuilt other bytes must notice,
   * not sign them.
   */
  request(reqs: { raw: string; request_id: string }[]): TxView[] {
    const out: TxView[] = [];
    for (const { raw, request_id } of reqs) {
      const existing = this.txs.get(request_id);
      if (existing) {
        out.push(txView(existing, this.book.bot));
        continue;
      }
      let checked: ReturnType<typeof checkTransaction>;
      try {
        checked = checkTransaction(raw, this.book);
      } catch (e) {
        throw asRefusal(e);
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
        created_at: this.book.nowNano(),
        updated_at: this.book.nowNano(),
      };
      this.txs.set(request_id, rec);
      out.push(txView(rec, this.book.bot));
    }
    return out;
  }

  /** POST /safe/transactions: an already sent request answers what Mixin holds (a client must compare raw_transaction). */
  send(reqs: { raw: string; request_id: string }[]): TxView[] {
    const out: TxView[] = [];
    for (const { raw, request_id } of reqs) {
      this.posted.push({ request_id, raw });
      const rec = this.txs.get(request_id);
      if (!rec) throw new MixinRefusal(10002, `Invalid request_id ${request_id}: no transaction request`);
      if (rec.state !== "unspent") {
        out.push(txView(rec, this.book.bot));
        continue;
      }
      try {
        out.push(txView(this.commit(rec, raw), this.book.bot));
      } catch (e) {
        throw asRefusal(e);
      }
    }
    return out;
  }

  /** Send: the inputs are locked (`signed`); the transaction is spent after the delay. */
  private commit(rec: TxRecord, signedRaw: string): TxRecord {
    const { tx, inputs } = checkTransaction(rec.verified_raw, this.book);
    if (!matchesVerified(rec.verified_raw, signedRaw, tx.inputs.length))
      throw new MixinRefusal(10002, "Invalid raw: the signed transaction does not match the transaction request");
    for (const u of inputs) {
      u.state = "signed";
      u.updated_at = this.book.nowNano();
    }
    Object.assign(rec, {
      state: "signed",
      raw_transaction: signedRaw,
      signed_at: Date.now(),
      updated_at: this.book.nowNano(),
    });
    this.signedTxs.add(rec);
    this.advance();
    return rec;
  }

  /** Signed transactions whose time has come are spent: outputs created, snapshots written. */
  advance(): void {
    for (const rec of this.signedTxs) {
      if (rec.state !== "signed") this.signedTxs.delete(rec);
      else if (Date.now() - (rec.signed_at ?? 0) >= this.spendDelayMs) {
        this.signedTxs.delete(rec);
        this.spend(rec);
      }
    }
  }

  private spend(rec: TxRecord): void {
    const book = this.book;
    const tx = decodeSafeTransaction(rec.verified_raw);
    const assetId = book.byKernel.get(tx.asset) ?? rec.asset_id;
    const txHash = rec.transaction_hash;
    for (const i of tx.inputs) {
      const u = book.findOutput(i.hash, i.index)!;
      u.state = "spent";
      u.updated_at = book.nowNano();
    }
    let sent = new Decimal(0);
    let opponent = "";
    const memoHex = Buffer.from(tx.extra).toString("hex");
    tx.outputs.forEach((o, index) => {
      const owner = book.ghostOwner(o.keys[0] ?? "") ?? "unknown";
      book.addUtxo(assetId, new Decimal(o.amount).toFixed(), txHash, index, memoHex, owner);
      if (owner !== book.bot) {
        sent = sent.plus(o.amount);
        opponent ||= owner;
      }
    });
    const snap = book.addSnapshot({
      opponent_id: opponent,
      asset_id: assetId,
      amount: sent.neg().toFixed(),
      memo: memoHex,
      transaction_hash: txHash,
      request_id: rec.request_id,
      trace_id: rec.request_id,
    });
    if (opponent === book.mixpayBot) {
      book.settle({
        traceId: rec.request_id,
        assetId,
        amount: sent.toFixed(),
        memo: Buffer.from(tx.extra).toString("utf8"),
        snapshotId: snap.snapshot_id,
      });
    }
    Object.assign(rec, {
      state: "spent",
      snapshot_id: snap.snapshot_id,
      spent_at: Date.now(),
      updated_at: book.nowNano(),
    });
  }
}
