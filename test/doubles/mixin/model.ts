/**
 * What the Mixin emulator holds, as plain data (JSON-safe, so it can be saved: persist.ts), and
 * how Mixin's API shows it. No HTTP here.
 */
import { createHash, randomBytes } from "node:crypto";
import type { MixinKeystore } from "@/server/mixin/keystore";

export const DEFAULT_ASSETS: Record<string, { symbol: string; price: string; balance: string }> = {
  "4d8c508b-91c5-375b-92b0-ee702ed2dac5": { symbol: "USDT", price: "1", balance: "5000" },
  "c6d0c728-2624-429b-8e0d-d9d19b6592fa": { symbol: "BTC", price: "95000", balance: "0.05" },
  "43d61dcd-e413-450d-80b8-101d5e903357": { symbol: "ETH", price: "3500", balance: "1.5" },
};
/** The simulated MixPay bot (what MixPay sends as opponent_id in the emulated world). */
export const EMULATED_MIXPAY_BOT = "9c0a2b4e-6c1d-4e8f-9a7b-3d5e1f2a4b6c";

export type AssetInfo = { symbol: string; price: string; balance: string };

export interface Utxo {
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

export interface TxRecord {
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

/** A message the bot sent (POST /messages). */
export interface SentMessage {
  message_id: string;
  recipient_id: string;
  text: string;
}

/** What the emulated payments_result answers for a trace ("unknown": no status at all, as for a trace MixPay never saw). */
export type PaymentResultStatus = "unknown" | "failed" | "success" | "pending" | "unpaid";

/** A refusal in Mixin's terms (its error code and description), answered as HTTP 202 {"error": …}. */
export class MixinRefusal extends Error {
  constructor(
    readonly mixinCode: number,
    description: string,
  ) {
    super(description);
  }
}

export const kernelAssetId = (assetId: string) => createHash("sha256").update(assetId).digest("hex");
export const hex32 = () => randomBytes(32).toString("hex");
/** A canonical (reduced) Ed25519 scalar: random bytes with the top byte cleared. */
export const scalar = () => {
  const b = randomBytes(32);
  b[31] = 0;
  return b.toString("hex");
};

export function assetView(id: string, a: AssetInfo) {
  return {
    asset_id: id,
    chain_id: id,
    symbol: a.symbol,
    name: a.symbol,
    precision: 8,
    price_usd: a.price,
    price_btc: "0",
    change_usd: "0",
    kernel_asset_id: kernelAssetId(id),
    icon_url: "",
  };
}

export type TxView = ReturnType<typeof txView>;

export function txView(r: TxRecord, bot: string) {
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
