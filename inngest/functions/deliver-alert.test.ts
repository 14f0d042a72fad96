import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundAttempts } from "@/db/schema";
import { startMixinEmulator, type MixinEmulator } from "@/test/doubles/mixin/emulator";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { resetEnvCache } from "@/server/env";
import { createTestStore, type TestStore } from "@/test/store";
import { setBrokerDepsFactory } from "../deps";
import { brokerDepsFromEnv } from "../wire";
import { deliverAlertFn } from "./deliver-alert";

const OPERATORS = ["6f1d1c6e-0b5a-4d1e-9d57-3b8f6a2c9e11", "0c7b9a4e-2f3d-4a6b-8c1d-5e9f7a3b2c40"];
let store: TestStore;
let emu: MixinEmulator;
let hook: Server;
const received: { body: string; key: string | undefined }[] = [];
let failNext = 0;

beforeAll(async () => {
  store = await createTestStore();
  emu = await startMixinEmulator();
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (failNext > 0) {
        failNext -= 1;
        res.statusCode = 503;
        return res.end();
      }
      received.push({ body, key: req.headers["idempotency-key"] as string | undefined });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  Object.assign(process.env, {
    MIXIN_KEYSTORE: JSON.stringify(emu.keystore),
    MIXIN_API_BASE_URL: emu.url,
    MIXPAY_API_BASE_URL: emu.url,
    ALERT_MIXIN_USER_IDS: OPERATORS.join(","),
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
  });
  resetEnvCache();
  setBrokerDepsFactory(brokerDepsFromEnv);
});
afterAll(async () => {
  delete process.env.ALERT_MIXIN_USER_IDS;
  delete process.env.ALERT_WEBHOOK_URL;
  resetEnvCache();
  hook.close();
  await emu.close();
  await store.cleanup();
});

describe("deliver-alert", () => {
  it("messages every operator through the bot and POSTs the webhook; a re-run messages nobody twice", async () => {
    const { id } = await raiseAlert(store.db, {
      kind: "low_balance",
      dedupeKey: "low_balance:test",
      message: "The bot holds 3 USDT",
      severity: "critical",
    });
    const run = () =>
      new InngestTestEngine({ function: deliverAlertFn }).execute({
        events: [{ name: "alert/raised", data: { alertId: id } }],
      });
    expect((await run()).result).toEqual({ delivered: ["log", "mixin", "webhook"] });
    await run();
    const msgs = emu.messages();
    expect(msgs.map((m) => m.recipient_id).sort()).toEqual([...OPERATORS].sort());
    expect(msgs[0]!.text).toBe("[critical] low_balance: The bot holds 3 USDT");
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.every((r) => r.key === id)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "alert",
      alert: { id, kind: "low_balance", severity: "critical" },
    });
  });

  it("records a failed webhook attempt and fails the step so Inngest retries it", async () => {
    const { id } = await raiseAlert(store.db, {
      kind: "settlement_failed",
      dedupeKey: "settlement_failed:x",
      message: "stuck",
    });
    failNext = 1;
    const r = await new InngestTestEngine({ function: deliverAlertFn }).execute({
      events: [{ name: "alert/raised", data: { alertId: id } }],
    });
    expect(r.error).toBeDefined();
    const attempts = await store.db.select().from(outboundAttempts).where(eq(outboundAttempts.idempotencyKey, id));
    expect(attempts.map((a) => a.outcome)).toEqual(["failed"]);
  });
});
