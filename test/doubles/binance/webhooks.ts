/**
 * The double's notifications to the merchant: signed as Binance Pay signs them (RSA-SHA256 of
 * `ts\nnonce\nbody\n` with the platform key whose certificate it serves), or with a key Binance
 * never published under the bad-signature fault; never sent under the no-webhook fault; every
 * delivery recorded with the merchant's answer.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import type { BinancePayLedger } from "./ledger";
import type { DoubleOrder, DoubleWebhook, Notice } from "./model";

export class WebhookSender {
  private readonly platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly forger = generateKeyPairSync("rsa", { modulusLength: 2048 });
  /** The platform certificate, as /binancepay/openapi/certificates serves it. */
  readonly certPublic = this.platform.publicKey.export({ type: "spki", format: "pem" }).toString();
  readonly certSerial = createHash("md5")
    .update(this.platform.publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");

  constructor(private readonly ledger: BinancePayLedger) {}

  async send(n: Notice): Promise<DoubleWebhook | undefined> {
    if (!n.url) return undefined;
    const o = n.order;
    // bizId is a JSON number that loses precision in JavaScript; bizIdStr is exact.
    const body = `{"bizType":"${n.bizType}","bizId":${o.prepayId},"bizIdStr":"${o.prepayId}","bizStatus":"${n.bizStatus}","data":${JSON.stringify(n.data)}}`;
    const record: DoubleWebhook = {
      url: n.url,
      prepayId: o.prepayId,
      bizType: n.bizType,
      bizStatus: n.bizStatus,
      headers: {},
      body,
      status: 0,
      response: "",
    };
    this.ledger.webhooks.push(record);
    if (this.ledger.takeFault(["no-webhook"])) {
      record.suppressed = true;
      return record;
    }
    const key: KeyObject = this.ledger.takeFault(["bad-signature"]) ? this.forger.privateKey : this.platform.privateKey;
    const ts = String(Date.now());
    const nonce = randomLetters(32);
    const signature = createSign("RSA-SHA256").update(`${ts}\n${nonce}\n${body}\n`).sign(key, "base64");
    record.headers = {
      "content-type": "application/json",
      "BinancePay-Timestamp": ts,
      "BinancePay-Nonce": nonce,
      "BinancePay-Certificate-SN": this.certSerial,
      "BinancePay-Signature": signature,
    };
    await deliver(record);
    return record;
  }

  /**
   * Deliver an order's last notification again: the same bytes, headers and nonce (a duplicate
   * delivery), or with `fresh` newly signed with a new timestamp and nonce (a Binance retry).
   */
  async resend(o: DoubleOrder, fresh: boolean): Promise<DoubleWebhook | undefined> {
    const last = [...this.ledger.webhooks].reverse().find((w) => w.prepayId === o.prepayId && !w.suppressed);
    if (!last) return undefined;
    const again: DoubleWebhook = { ...last, headers: { ...last.headers }, status: 0, response: "" };
    if (fresh) {
      const ts = String(Date.now());
      const nonce = randomLetters(32);
      again.headers["BinancePay-Timestamp"] = ts;
      again.headers["BinancePay-Nonce"] = nonce;
      again.headers["BinancePay-Signature"] = createSign("RSA-SHA256")
        .update(`${ts}\n${nonce}\n${again.body}\n`)
        .sign(this.platform.privateKey, "base64");
    }
    this.ledger.webhooks.push(again);
    await deliver(again);
    return again;
  }
}

async function deliver(record: DoubleWebhook): Promise<void> {
  try {
    const res = await fetch(record.url, {
      method: "POST",
      headers: record.headers,
      body: record.body,
      signal: AbortSignal.timeout(15_000),
    });
    record.status = res.status;
    record.response = await res.text();
  } catch (e) {
    record.status = 0;
    record.response = (e as Error).message;
  }
}

function randomLetters(n: number): string {
  const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  for (const b of randomBytes(n)) s += abc[b % abc.length];
  return s;
}
