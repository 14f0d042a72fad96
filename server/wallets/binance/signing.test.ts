import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newNonce, signRequest, verifyWebhookSignature } from "./signing";

/*
 * Vectors computed independently with openssl (not with this code):
 *   printf '%s\n%s\n%s\n' "$TS" "$NONCE" "$BODY" | openssl dgst -sha512 -hmac "$SECRET" | tr a-f A-F
 *   openssl genrsa -out k.pem 2048; openssl rsa -in k.pem -pubout -out pub.pem
 *   printf '%s\n%s\n%s\n' "$TS" "$NONCE" "$BODY" | openssl dgst -sha256 -sign k.pem | base64 -w0
 * The first HMAC vector uses the inputs of Binance's FAQ (research §1; the FAQ's printed result
 * does not reproduce from its own inputs, openssl's does).
 */
const FAQ = {
  ts: "1611232922428",
  nonce: "5RhaTrZPhknNv0kDSA2UQ67cPMVNS4sA",
  secret: "uahr4nhailyq55yubuhuncnprfac73bcbz2qfafsevic1jruwunioxtoaozy122f",
  body: '{"merchantId":"98765987","subMerchantId":"98765987","merchantTradeNo":"9825382937292","totalFee":25.17,"productDetail":"Greentea ice cream cone","currency":"USDT","returnUrl":"","tradeType":"APP","productType":"Food","productName":"Ice Cream"}',
  signature:
    "C1F7A336D5E6A100DD31F41669895D99C24A3A4D4F96DB6389761CB2CDD37FA2F6D106A24DB048B4989005E85EADEA392CD866902736D3D276BDC44C49DD00FC",
};
// TS=1764030000000 NONCE=aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY BODY='{}' (the certificates request), same SECRET.
const EMPTY_BODY_SIGNATURE =
  "02558F07E493FAECBCC83872AA034C693F1A3715F1C1786126D9A133371CB4774937770047484B31ADFA358A91DD7492F06EFA862FC78C6B40B5AD2D58DB6B44";

const WEBHOOK = {
  ts: "1764030000000",
  nonce: "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY",
  body: '{"bizType":"PAY","bizId":29383937493038367292,"bizIdStr":"29383937493038367292","bizStatus":"PAY_SUCCESS","data":"{\\"merchantTradeNo\\":\\"9825382937292\\",\\"totalFee\\":0.88000000,\\"transactTime\\":1619508939664,\\"currency\\":\\"USDT\\"}"}',
  signature:
    "BkqkpQPH4AUrdvg35aZEhMMvk0Zar29D3GV18W76q24WoWCvrMp8J7El8AV9i1Tnh7GE0lQEiP7otNiigc0Vu47UojZu11QmYx8bfiCnrb7/RvgyKpk+Vr7LUKFLEaq2drCnUuTVI8Tev27mhwGPk9h8pCESTHyxOpaegXv5ar3+Y3XUz0i25Ej0e/uKMxFfF3j/Apwnq4yDMNjurnQqhTrAGGaoz5Cm8mgr1q5NXDAxQenmB6JNYLMKzQ0Wc+I8fCtz+4Z+R19a9h1dVl6KSnC+dQXE7H+wAMnBS2KJVAd/GQcB8DUGQaA0lJ20dqeyX4Hbyp+ob+bpBP+E00iuig==",
  // pub.pem of k.pem above
  publicKey: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAy0VLWJavO8TzBb614YYQ
FIN6O9t3QhuV6qaccU8dZgO4KbeWZGLOhOGpJlyqO1hlfd1CZKEe4UeqtgcKi7P1
hNJfvme9VbTW0YczBR3WeXpFAHd5p0f9jUf+PPWP5iDdA3OkVjlBI4XQxabIC7O3
bCJgoeV765Npgwf8HMJVbiSkAO6tGW/gAQxEl4P6Dy544V/omxQbK96xJOC/Zp2O
+8h7sq0ziEQMXLV31pfv8SI4GSiiJdjAzIjW9/rqUZqS+CGQGsfWE3G0TKZKk/LY
fwM4g41K2rT6GxpCeIuATC9hsdWB6FZK0WQ7B/q7Lcg8whanCye2LLqIknfoczVl
oQIDAQAB
-----END PUBLIC KEY-----`,
  // pub.pem of another `openssl genrsa 2048`: a key that did not sign
  otherPublicKey: `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxzc0JEJnGLkDCuEB3hiA
Ax3y/+NIz1ZSgOIwo12gFChfNQqL+eKtTKLd2JkjOI74p455XN1uXzeOi8raYz/Y
bz2yXjjMQpVyAsdwStgfMAq4PIoMJQ9G0JgytIYSqFy89ii3Cy15E+w4DFvni2dq
JHy+LUAV2wmPKgum8bxNm2TEc67BuFoUQCK0+UGMmpVZysCOVLrXyLuxxQZQ9QIJ
CdNPJ5yRmCjqPqAZ4JkiMO19zORlEa88Dnv8XyZUsOvHeUu7pxG2AVWgfsIOjVa5
vVG3CtOlIQeEbDPWO5aS2kXHhVp158lw6XtbcK8Gg3jAQkIF/UgQXOzjtIaHUiVb
iwIDAQAB
-----END PUBLIC KEY-----`,
};

describe("Binance Pay request signing (HMAC-SHA512, upper-case hex)", () => {
  it("matches openssl on the FAQ's inputs", () => {
    expect(signRequest(FAQ.secret, FAQ.ts, FAQ.nonce, FAQ.body)).toBe(FAQ.signature);
  });
  it("matches openssl on an empty-object body", () => {
    expect(signRequest(FAQ.secret, "1764030000000", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY", "{}")).toBe(
      EMPTY_BODY_SIGNATURE,
    );
  });
  it("changes with one byte of the body or another secret", () => {
    expect(signRequest(FAQ.secret, FAQ.ts, FAQ.nonce, FAQ.body.replace("25.17", "25.18"))).not.toBe(FAQ.signature);
    expect(signRequest(FAQ.secret.replace(/^u/, "v"), FAQ.ts, FAQ.nonce, FAQ.body)).not.toBe(FAQ.signature);
  });
  it("makes 32-letter nonces", () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z]{32}$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe("Binance Pay webhook verification (SHA256withRSA over the raw body, base64)", () => {
  it("accepts openssl's signature of the raw body", () => {
    expect(WEBHOOK.body).toContain('\\"totalFee\\":0.88000000');
    expect(verifyWebhookSignature(WEBHOOK.publicKey, WEBHOOK.ts, WEBHOOK.nonce, WEBHOOK.body, WEBHOOK.signature)).toBe(
      true,
    );
  });
  it("rejects a tampered body, timestamp or nonce", () => {
    expect(
      verifyWebhookSignature(
        WEBHOOK.publicKey,
        WEBHOOK.ts,
        WEBHOOK.nonce,
        WEBHOOK.body.replace("0.88000000", "8.80000000"),
        WEBHOOK.signature,
      ),
    ).toBe(false);
    expect(
      verifyWebhookSignature(
        WEBHOOK.publicKey,
        WEBHOOK.ts,
        WEBHOOK.nonce,
        JSON.stringify(JSON.parse(WEBHOOK.body)),
        WEBHOOK.signature,
      ),
    ).toBe(false);
    expect(
      verifyWebhookSignature(WEBHOOK.publicKey, "1764030000001", WEBHOOK.nonce, WEBHOOK.body, WEBHOOK.signature),
    ).toBe(false);
    expect(
      verifyWebhookSignature(
        WEBHOOK.publicKey,
        WEBHOOK.ts,
        WEBHOOK.nonce.toLowerCase(),
        WEBHOOK.body,
        WEBHOOK.signature,
      ),
    ).toBe(false);
  });
  it("rejects the signature under a wrong key, and garbage signatures", () => {
    expect(
      verifyWebhookSignature(WEBHOOK.otherPublicKey, WEBHOOK.ts, WEBHOOK.nonce, WEBHOOK.body, WEBHOOK.signature),
    ).toBe(false);
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(verifyWebhookSignature(publicKey, WEBHOOK.ts, WEBHOOK.nonce, WEBHOOK.body, WEBHOOK.signature)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK.publicKey, WEBHOOK.ts, WEBHOOK.nonce, WEBHOOK.body, "not base64!")).toBe(
      false,
    );
    expect(verifyWebhookSignature(WEBHOOK.publicKey, WEBHOOK.ts, WEBHOOK.nonce, WEBHOOK.body, "")).toBe(false);
  });
});
