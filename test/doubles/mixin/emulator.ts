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
 *
 * The pieces: ledger.ts (the state, no HTTP), transaction-check.ts, session-token.ts, faults.ts,
 * and the routes on hono — oauth.ts, routes/bot-api.ts, routes/mixpay-api.ts, routes/control.ts.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Server } from "node:http";
import { generateKeystore, type MixinKeystore } from "@/server/mixin/keystore";
import { FaultSwitches, type Fault } from "./faults";
import { mixinError, type EmulatorEnv } from "./http";
import { MixinLedger } from "./ledger";
import {
  DEFAULT_ASSETS,
  EMULATED_MIXPAY_BOT,
  type EmulatorState,
  type PaymentResultStatus,
  type SentMessage,
  type Settlement,
  type Snapshot,
} from "./model";
import { mixinOAuthRoutes } from "./oauth";
import { botApiRoutes } from "./routes/bot-api";
import { controlRoutes } from "./routes/control";
import { mixpayApiRoutes } from "./routes/mixpay-api";
import { UNAUTHORIZED, checkSessionToken, sessionPublicKey } from "./session-token";

export { DEFAULT_ASSETS, EMULATED_MIXPAY_BOT, type EmulatorState, type Settlement, type Snapshot } from "./model";
export { type Fault, type FaultMode } from "./faults";
export { checkSessionToken } from "./session-token";

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
  setPaymentResult(traceId: string, status: PaymentResultStatus): void;
  /** When each transaction request arrived, was sent and was spent (epoch ms; for latency benchmarks). */
  transactionTimes(): { requestId: string; requestedAt?: number; sentAt?: number; spentAt?: number }[];
  /** Messages the bot sent (deduplicated by message_id, as Mixin does). */
  messages(): SentMessage[];
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

export async function startMixinEmulator(opts: EmulatorOptions = {}): Promise<MixinEmulator> {
  const keystore = opts.state?.keystore ?? opts.keystore ?? generateKeystore();
  const ledger = new MixinLedger({ ...opts, keystore, assets: { ...DEFAULT_ASSETS, ...opts.extraAssets } });
  const faults = new FaultSwitches();
  const seen: string[] = [];
  const app = emulatorApp({ ledger, faults, seen, hasSafe: opts.hasSafe ?? true, onChange: opts.onChange });

  let server!: Server;
  const port = await new Promise<number>((resolve) => {
    // The global Request/Response stay Node's own: the broker's code runs in the same process in tests.
    server = serve(
      { fetch: app.fetch, port: opts.port ?? 0, hostname: opts.host ?? "127.0.0.1", overrideGlobalObjects: false },
      (info) => resolve(info.port),
    ) as Server;
  });
  /** A change made by a direct call (not a request) is saved too. */
  const changed = <T>(value: T): T => {
    opts.onChange?.();
    return value;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    keystore,
    mixpayBotId: EMULATED_MIXPAY_BOT,
    settlements: () => {
      ledger.advance();
      return ledger.settlements().map((s) => ({ ...s }));
    },
    snapshots: () => {
      ledger.advance();
      return [...ledger.snapshots()];
    },
    balance: (assetId) => ledger.balance(assetId),
    setFault: (f) => faults.add({ ...f }),
    clearFaults: () => faults.clear(),
    refund: (traceId, code) => changed(ledger.refund(traceId, code)),
    receive: (t) => changed(ledger.receive(t)),
    exportState: () => ledger.exportState(),
    freezeClock: (on) => {
      ledger.frozen = on;
    },
    setSpendDelay: (ms) => {
      ledger.tx.spendDelayMs = ms;
    },
    postedRaws: () => ledger.tx.posted.map((p) => ({ ...p })),
    topUp: (assetId, amount) => changed(ledger.topUp(assetId, amount)),
    setPaymentResult: (traceId, status) => ledger.setPaymentResult(traceId, status),
    requests: () => [...seen],
    transactionTimes: () => {
      ledger.advance();
      return ledger.tx.list().map((r) => ({
        requestId: r.request_id,
        requestedAt: r.requested_at,
        sentAt: r.signed_at,
        spentAt: r.spent_at,
      }));
    },
    messages: () => ledger.messages(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface AppDeps {
  ledger: MixinLedger;
  faults: FaultSwitches;
  seen: string[];
  hasSafe: boolean;
  onChange?: () => void;
}

/** The emulator's HTTP face: faults and the request log first, then OAuth, the session token, the APIs. */
function emulatorApp({ ledger, faults, seen, hasSafe, onChange }: AppDeps) {
  const app = new Hono<EmulatorEnv>();
  const sessionKey = sessionPublicKey(ledger.keystore.session_private_key);

  app.use(async (c, next) => {
    try {
      c.set("body", await c.req.text());
      ledger.advance();
      const path = c.req.path;
      if (path.startsWith("/_emulator")) return await next();
      const key = `${c.req.method} ${path}`;
      seen.push(key);
      const fault = faults.take(key);
      if (fault?.mode === "500") return c.json({ error: "emulated failure" }, 500);
      if (fault?.mode === "insufficient") return mixinError(c, 20117, "Insufficient balance.");
      if (fault?.mode === "timeout") await new Promise((r) => setTimeout(r, fault.delayMs ?? 15_000));
      await next();
      if (fault?.mode === "drop-after-commit" && !c.error) {
        // The work is done; lose the answer (as if the connection broke after Mixin committed).
        c.res = undefined;
        c.res = c.json({ error: "emulated failure after commit" }, 500);
      }
    } finally {
      onChange?.();
    }
  });

  app.route("/", mixinOAuthRoutes({ clientId: ledger.bot })); // Sign in with Mixin (./oauth.ts)

  // Every bot call carries the session token; only MixPay's public API and the control routes do not.
  app.use(async (c, next) => {
    const path = c.req.path;
    if (path.startsWith("/_emulator") || path === "/v1/payments_result") return next();
    // The token signs the request's exact URI as sent (path and query), so read it off the socket's request.
    const { incoming } = c.env;
    if (
      !checkSessionToken(
        incoming.headers.authorization,
        incoming.method ?? "GET",
        incoming.url ?? "/",
        c.get("body"),
        ledger.keystore,
        sessionKey,
      )
    ) {
      return mixinError(c, UNAUTHORIZED.code, UNAUTHORIZED.description);
    }
    return next();
  });

  app.route("/", botApiRoutes(ledger, { hasSafe }));
  app.route("/", mixpayApiRoutes(ledger));
  app.route("/", controlRoutes({ ledger, faults, seen }));
  app.notFound((c) =>
    c.json({ error: { status: 404, code: 404, description: `no emulated route ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((e, c) => c.json({ error: e.message }, 500));
  return app;
}
