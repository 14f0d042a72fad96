/**
 * What Mixin checks of a transaction before it accepts it: the request (the bot's own unspent
 * outputs of one asset as inputs, outputs to known ghost keys, Σinputs = Σoutputs) and the send
 * (the signed raw is the verified request byte for byte, then its signatures). Pure functions.
 */
import { decodeSafeTransaction } from "@mixin.dev/mixin-node-sdk";
import Decimal from "decimal.js";
import { MixinRefusal, type Utxo } from "./model";

export type SafeTransaction = ReturnType<typeof decodeSafeTransaction>;

export interface CheckContext {
  bot: string;
  /** Kernel asset id → asset id, for the assets the emulator knows. */
  byKernel: Map<string, string>;
  findOutput(hash: string, index: number): Utxo | undefined;
  /** Whether a ghost key was handed out by POST /safe/keys. */
  isGhostKey(key: string): boolean;
}

export function checkTransaction(
  raw: string,
  ctx: CheckContext,
): { tx: SafeTransaction; inputs: Utxo[]; assetId: string } {
  let tx: SafeTransaction;
  try {
    tx = decodeSafeTransaction(raw);
  } catch (e) {
    throw new MixinRefusal(10002, `Invalid raw transaction: ${(e as Error).message}`);
  }
  if ((tx.signatureMap ?? []).length > 0)
    throw new MixinRefusal(10002, "Invalid raw transaction: a transaction request is verified unsigned");
  const assetId = ctx.byKernel.get(tx.asset);
  if (!assetId) throw new MixinRefusal(10002, "Invalid asset");
  if (tx.inputs.length === 0 || tx.outputs.length === 0) throw new MixinRefusal(10002, "Invalid inputs or outputs");
  const inputs = tx.inputs.map((i) => {
    const u = ctx.findOutput(i.hash, i.index);
    if (!u || u.owner !== ctx.bot)
      throw new MixinRefusal(10002, `Invalid input ${i.hash}:${i.index}: not an output of this user`);
    if (u.asset !== tx.asset) throw new MixinRefusal(10002, `Invalid input ${i.hash}:${i.index}: another asset`);
    if (u.state !== "unspent")
      throw new MixinRefusal(10105, `Input ${i.hash}:${i.index} is ${u.state}, locked by another transaction`);
    return u;
  });
  if (new Set(inputs).size !== inputs.length) throw new MixinRefusal(10002, "Invalid inputs: an output is spent twice");
  const sumIn = inputs.reduce((t, u) => t.plus(u.amount), new Decimal(0));
  const sumOut = tx.outputs.reduce((t, o) => t.plus(o.amount), new Decimal(0));
  if (!sumIn.eq(sumOut))
    throw new MixinRefusal(10002, `Invalid amount: inputs ${sumIn.toFixed()} != outputs ${sumOut.toFixed()}`);
  for (const o of tx.outputs) {
    if (new Decimal(o.amount).lte(0)) throw new MixinRefusal(20120, "Amount too small");
    if (!ctx.isGhostKey(o.keys[0] ?? "")) throw new MixinRefusal(10002, "Invalid output keys");
  }
  return { tx, inputs, assetId };
}

/**
 * The signed raw must be the verified raw with signatures appended: the same bytes up to the
 * signature count, then one signature map per input, each entry a uint16 index and 64 bytes.
 * (The SDK's decoder misreads signature maps, so this reads them by hand.)
 */
export function matchesVerified(verifiedRaw: string, signedRaw: string, inputs: number): boolean {
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
