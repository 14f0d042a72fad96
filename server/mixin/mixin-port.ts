import "server-only";
import {
  buildSafeTransaction,
  buildSafeTransactionRecipient,
  encodeSafeTransaction,
  getUnspentOutputsForRecipients,
  MixinApi,
  ResponseError,
  signSafeTransaction,
  type SafeUtxoOutput,
  type SequencerTransactionRequest,
  uniqueConversationID,
  base64RawURLEncode,
} from "@mixin.dev/mixin-node-sdk";
import { AppError, AppErrorCode } from "@/server/errors";
import { dec } from "@/server/money";
import type { BalanceSource } from "@/server/balances/sync-balances";
import type {
  SettlementMixin,
  SettlementTransfer,
  SettlementTransferResult,
  TransferHooks,
} from "@/server/settlement/ports";
import type { IncomingSnapshot } from "@/server/snapshots/process-snapshots";
import type { SnapshotSource } from "@/server/snapshots/poll-snapshots";
import type { MixinKeystore } from "./keystore";
import { memoHexOf, memoTextFromHex, parseMixPayRefundMemo } from "./memo";

export interface MixinPortOptions {
  keystore: MixinKeystore;
  /** https://api.mixin.one in production; the emulator's URL in development and tests. */
  baseUrl: string;
  timeoutMs?: number;
  /** SDK retries of idempotent failures; -1 disables them (0 would mean the SDK default of 5). */
  retries?: number;
}

type Client = ReturnType<typeof MixinApi>;
const PAGE = 500;
/** Mixin's "insufficient balance" business error. */
const INSUFFICIENT_BALANCE = 20117;

/**
 * The broker's Mixin port on the Safe (UTXO) API, through the real SDK: balances are sums of
 * unspent outputs, a transfer is ghost keys → transaction request → spend-key signature → send,
 * keyed by request_id = MixPay's trace_id, so a repeat never pays twice.
 */
export class SafeMixinPort implements SettlementMixin, BalanceSource, SnapshotSource {
  private readonly client: Client;
  private readonly appId: string;
  private readonly spendKey: string;
  /** One transfer per asset at a time: concurrent builds would pick the same outputs. */
  private readonly assetQueues = new Map<string, Promise<unknown>>();

  constructor(opts: MixinPortOptions) {
    this.appId = opts.keystore.app_id;
    this.spendKey = opts.keystore.spend_private_key;
    const { spend_private_key: _spend, ...keystore } = opts.keystore;
    void _spend;
    this.client = MixinApi({
      keystore,
      requestConfig: { baseURL: opts.baseUrl, timeout: opts.timeoutMs ?? 10_000, retry: opts.retries ?? 2 },
    });
  }

  /** Start-up check that the credentials work and the bot is registered for Safe. */
  async checkRegistration(): Promise<void> {
    const me = (await this.call(
      () => this.client.safe.checkRegisteration(),
      "read the bot's profile (GET /safe/me)",
    )) as { user_id?: string; has_safe?: boolean };
    if (me.user_id !== this.appId)
      throw new AppError(
        AppErrorCode.INTERNAL,
        `Mixin answered the profile of ${me.user_id ?? "nobody"}, not of the keystore's app_id ${this.appId}`,
      );
    if (!me.has_safe)
      throw new AppError(
        AppErrorCode.INTERNAL,
        "the Mixin bot is not registered for Safe (has_safe is false): register it (POST /safe/users) before it can hold or send funds",
      );
  }

  /**
   * Pay one transfer, idempotent by request id. Build, verify and sign happen here, and the signed
   * raw goes to `hooks.saveSignedRaw` BEFORE it is posted; a retry passes it back as
   * `hooks.signedRaw` and exactly those bytes are posted again (nothing is rebuilt). Why one
   * method with a hook rather than separate prepare/send calls: the per-asset queue must cover
   * build AND post, or two transfers of one asset could pick the same outputs in between.
   * Mixin's Go SDK rules are kept: the raw_transaction Mixin answers must be the raw we signed
   * (else a non-retryable "raw_mismatch" error), and a stored request under our request id whose
   * raw differs from ours is never signed over (a non-retryable "request_conflict" error).
   */
  transfer(t: SettlementTransfer, hooks: TransferHooks = {}): Promise<SettlementTransferResult> {
    const prev = this.assetQueues.get(t.assetId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.transferOnce(t, hooks));
    this.assetQueues.set(t.assetId, next);
    return next;
  }

  async lookupTransfer(requestId: string): Promise<SettlementTransferResult | undefined> {
    try {
      const tx = await this.client.utxo.fetchTransaction(requestId);
      return resultOf(tx, true);
    } catch (e) {
      if (e instanceof ResponseError && e.code === 404) return undefined;
      throw mapError(e, "look up the transfer");
    }
  }

  private async transferOnce(t: SettlementTransfer, hooks: TransferHooks): Promise<SettlementTransferResult> {
    // A signed raw is stored for this request id: post those bytes again, never new ones.
    if (hooks.signedRaw) return this.postSigned(t.requestId, hooks.signedRaw, true);

    const prev = await this.lookupTransfer(t.requestId);
    if (prev && prev.state !== "unspent") return prev;

    const outputs = await this.unspentOutputs(t.assetId);
    const recipients = [buildSafeTransactionRecipient([t.opponentId], 1, t.amount)];
    let picked: { utxos: SafeUtxoOutput[]; change: { isZero(): boolean; toString(): string } };
    try {
      picked = getUnspentOutputsForRecipients(outputs, recipients);
    } catch {
      throw new AppError(
        AppErrorCode.PAYMENT_UNAVAILABLE,
        `the Mixin bot's ${t.assetId} outputs cannot cover ${t.amount}`,
        {
          details: { reason: "insufficient_balance" },
        },
      );
    }
    if (!picked.change.isZero())
      recipients.push(buildSafeTransactionRecipient([this.appId], 1, picked.change.toString()));

    const signed = await this.call(async () => {
      const ghosts = await this.client.utxo.ghostKey(recipients, t.requestId, this.spendKey);
      const tx = buildSafeTransaction(picked.utxos, recipients, ghosts, Buffer.from(t.memo, "utf8"));
      const raw = encodeSafeTransaction(tx);
      const [verified] = await this.client.utxo.verifyTransaction([{ raw, request_id: t.requestId }]);
      if (!verified) throw new AppError(AppErrorCode.RETRYABLE, "Mixin returned no transaction request");
      // Signed or spent already under this request id: a retry of a transfer that went through.
      if (verified.state !== "unspent") return resultOf(verified, true);
      // Mixin holds other bytes under this request id (an earlier attempt verified a different
      // build and died before its signed raw was stored). Signing ours would put two different
      // transactions under one request id; stop and let an operator look (the caller alerts).
      if (verified.raw_transaction && verified.raw_transaction.toLowerCase() !== raw.toLowerCase()) {
        throw new AppError(
          AppErrorCode.CONFLICT,
          `Mixin already holds a different transaction request under request id ${t.requestId}; not signing a second one`,
          {
            details: { reason: "request_conflict", requestId: t.requestId },
          },
        );
      }
      return signSafeTransaction(tx, verified.views, this.spendKey);
    }, "prepare the transfer");
    if (typeof signed !== "string") return signed;
    // Stored before it leaves: a crash from here on resends these bytes, not a rebuild.
    await hooks.saveSignedRaw?.(signed);
    return this.postSigned(t.requestId, signed, false);
  }

  /** Post a signed raw and check that Mixin holds exactly it under the request id. */
  private async postSigned(requestId: string, signedRaw: string, resent: boolean): Promise<SettlementTransferResult> {
    const sent = await this.call(async () => {
      const [tx] = await this.client.utxo.sendTransactions([{ raw: signedRaw, request_id: requestId }]);
      if (!tx) throw new AppError(AppErrorCode.RETRYABLE, "Mixin returned no transaction");
      return tx;
    }, "send the transfer");
    if ((sent.raw_transaction ?? "").toLowerCase() !== signedRaw.toLowerCase()) {
      // As Mixin's Go SDK (it panics): Mixin holds other bytes under our request id. Retrying
      // cannot fix that and must not build anything new; the caller raises a critical alert.
      throw new AppError(
        AppErrorCode.CONFLICT,
        `Mixin answered a different raw_transaction for request id ${requestId} than the one the broker signed`,
        {
          details: { reason: "raw_mismatch", requestId, transactionHash: sent.transaction_hash, state: sent.state },
        },
      );
    }
    return resultOf(sent, resent);
  }

  /** Every unspent output of one asset (or all), paging by sequence and de-duplicating. */
  private async unspentOutputs(assetId?: string): Promise<SafeUtxoOutput[]> {
    const seen = new Set<string>();
    const out: SafeUtxoOutput[] = [];
    let offset: number | undefined;
    for (;;) {
      const page = await this.call(
        () =>
          this.client.utxo.safeOutputs({
            members: [this.appId],
            threshold: 1,
            state: "unspent",
            limit: PAGE,
            offset,
            ...(assetId ? { asset: assetId } : {}),
          }),
        "read outputs",
      );
      for (const o of page) {
        const id = o.utxo_id ?? (o as { output_id?: string }).output_id ?? `${o.transaction_hash}:${o.output_index}`;
        if (seen.has(id) || o.state !== "unspent") continue;
        seen.add(id);
        out.push(o);
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!.sequence;
      if (offset !== undefined && last <= offset) break;
      offset = last;
    }
    return out;
  }

  async readBalances(assetIds: string[]): Promise<Map<string, string>> {
    const totals = new Map(assetIds.map((id) => [id, dec("0")]));
    for (const o of await this.unspentOutputs()) {
      const cur = totals.get(o.asset_id);
      if (cur) totals.set(o.asset_id, cur.plus(dec(o.amount)));
    }
    return new Map([...totals].map(([id, v]) => [id, v.toFixed()]));
  }

  async readAssetPrices(assetIds: string[]): Promise<Map<string, string>> {
    if (assetIds.length === 0) return new Map();
    const assets = await this.call(() => this.client.safe.fetchAssets(assetIds), "read asset prices");
    return new Map(
      assets.map((a) => [a.asset_id, a.price_usd && /^\d+(\.\d+)?$/.test(a.price_usd) ? a.price_usd : "0"]),
    );
  }

  async readSnapshots(
    offset: string | undefined,
    limit: number,
  ): Promise<{ snapshots: IncomingSnapshot[]; nextOffset: string | undefined }> {
    const page = await this.call(() => this.client.safe.fetchSafeSnapshots({ offset, limit }), "read snapshots");
    const snapshots = page.map((s): IncomingSnapshot => {
      const memoHex = memoHexOf(s.memo ?? "");
      const memoText = memoTextFromHex(memoHex);
      const amount = dec(s.amount);
      return {
        snapshotId: s.snapshot_id,
        assetId: s.asset_id,
        amount: s.amount,
        opponentId: s.opponent_id || null,
        requestId: (s as { request_id?: string }).request_id ?? s.trace_id ?? null,
        transactionHash: s.transaction_hash || null,
        memoHex,
        memoText,
        refund: amount.gt(0) && memoText !== null ? parseMixPayRefundMemo(memoText) : null,
        createdAt: s.created_at,
      };
    });
    return { snapshots, nextOffset: page.length ? page[page.length - 1]!.created_at : offset };
  }

  /**
   * A plain-text message from the bot (operator alerts). Mixin deduplicates by message_id, so a
   * retry with the same id delivers once; the caller derives it from what the message is about.
   */
  async sendText(userId: string, text: string, messageId: string): Promise<void> {
    await this.call(
      () =>
        this.client.message.sendOne({
          category: "PLAIN_TEXT",
          recipient_id: userId,
          conversation_id: uniqueConversationID(this.appId, userId),
          message_id: messageId,
          data_base64: base64RawURLEncode(Buffer.from(text, "utf8")),
        }),
      "send a message",
    );
  }

  private async call<T>(fn: () => Promise<T>, what = "call Mixin"): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapError(e, what);
    }
  }
}

function resultOf(tx: SequencerTransactionRequest, alreadyExisted: boolean): SettlementTransferResult {
  return {
    state: tx.state,
    transactionHash: tx.transaction_hash || undefined,
    snapshotId: tx.snapshot_id || undefined,
    alreadyExisted,
  };
}

/** Mixin's answers → the broker's errors: what may pass with time is RETRYABLE. */
function mapError(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof ResponseError) {
    if (e.code === INSUFFICIENT_BALANCE) {
      return new AppError(AppErrorCode.PAYMENT_UNAVAILABLE, `Mixin: insufficient balance (${e.description})`, {
        details: { reason: "insufficient_balance", code: e.code },
        cause: e,
      });
    }
    const retryable = e.code === 429 || e.code === 10105 || e.code >= 500;
    return new AppError(
      retryable ? AppErrorCode.RETRYABLE : AppErrorCode.INTERNAL,
      `Mixin could not ${what}: ${e.code} ${e.description}`,
      { details: { code: e.code }, cause: e },
    );
  }
  const status = (e as { response?: { status?: number } }).response?.status;
  const message = status ? `HTTP ${status}` : (e as Error).message;
  return new AppError(AppErrorCode.RETRYABLE, `Mixin could not ${what}: ${message}`, { cause: e });
}
