/**
 * `npm run demo:traffic`: keep a running broker (`npm run dev`) busy with demo traffic through its
 * real HTTP routes, at a chosen rate, until Ctrl-C:
 *  - MixPay's `POST /mixpay/create_order` (the emulated MixPay bot as opponent_id);
 *  - the end user pays: the demo checkout's `POST /checkout/<id>/pay`, or the Binance Pay double's
 *    checkout (`/_double/orders/<token>/pay`, which posts its signed webhook to the broker) when
 *    the broker answers with the double's links (BINANCE_PAY_DOUBLE=1);
 *  - some are paid after expired_at (paid late: the broker refunds them), some never (they expire);
 *  - MixPay sends some back: `POST /_emulator/refund` once the emulator has the settlement.
 * The mix is the dev history's (plan.ts). One progress line, rewritten in place.
 *
 *   npm run demo:traffic -- --rate 20            # orders per minute (default 20)
 *   npm run demo:traffic -- --rate 2/s --seed 7  # or per second
 * Options: --url (broker, default http://localhost:$PORT or 3000), --emulator (default
 * http://127.0.0.1:$MIXIN_EMULATOR_PORT or 7001), --binance (the double, default :7002),
 * --expiry seconds (default 120), --seed.
 */
import { parseArgs } from "node:util";
import { loadDotEnv } from "../../server/config/load-dotenv";
import { createOrderBody, DEMO_PAYEE, mulberry32, planOrders, type PlannedOrder } from "./plan";

loadDotEnv();
const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "20" },
    url: { type: "string", default: `http://localhost:${process.env.PORT ?? 3000}` },
    emulator: { type: "string", default: `http://127.0.0.1:${process.env.MIXIN_EMULATOR_PORT ?? 7001}` },
    binance: { type: "string", default: `http://127.0.0.1:${process.env.BINANCE_PAY_DOUBLE_PORT ?? 7002}` },
    expiry: { type: "string", default: "120" },
    seed: { type: "string", default: String(Date.now() % 100_000) },
  },
});

/** "20" or "20/min" = per minute; "2/s" = per second. */
function perSecond(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|sec|m|min))?$/.exec(rate.trim());
  if (!m || Number(m[1]) <= 0)
    throw new Error(`--rate ${rate}: use orders per minute (20, 20/min) or per second (2/s)`);
  return m[2] === "s" || m[2] === "sec" ? Number(m[1]) : Number(m[1]) / 60;
}

const rate = perSecond(args.rate);
const expiryMs = Number(args.expiry) * 1000;
const seed = Number(args.seed);
const rnd = mulberry32(seed ^ 0x9e3779b9);
const plan = planOrders(seed);
const count = { created: 0, paid: 0, paidLate: 0, settled: 0, mixpayRefunds: 0, expiring: 0, errors: 0 };
let lastError = "";
const timers = new Set<NodeJS.Timeout>();
const running = new Set<Promise<void>>();
const waitingForSettlement = new Map<string, () => Promise<void>>(); // trace → what to do once settled
const ourTraces = new Set<string>();
const settledTraces = new Set<string>();
let stopping = false;

async function call(url: string, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });
  if (res.status >= 400)
    throw new Error(
      `${init?.method ?? "GET"} ${new URL(url).pathname} → ${res.status} ${(await res.text()).slice(0, 120)}`,
    );
  return res;
}
const post = (url: string, body?: unknown) =>
  call(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Run a step now or later; Ctrl-C drops the ones not started and waits for the ones running. */
function track(what: string, work: () => Promise<void>, delayMs = 0): void {
  const t = setTimeout(() => {
    timers.delete(t);
    if (stopping) return;
    const p = work()
      .catch((e: unknown) => {
        count.errors++;
        lastError = `${what}: ${(e as Error).message}`;
      })
      .finally(() => running.delete(p));
    running.add(p);
  }, delayMs);
  timers.add(t);
}

/** Pay at the wallet that served the order: the double's checkout, or the broker's demo checkout. */
async function pay(checkoutUrl: string, late: boolean): Promise<void> {
  if (checkoutUrl.startsWith(args.binance)) {
    const token = new URL(checkoutUrl).pathname.split("/").pop()!;
    const r = (await (await post(`${args.binance}/_double/orders/${token}/pay`, { late })).json()) as {
      error?: string;
    };
    if (r.error) throw new Error(`Binance Pay double: ${r.error}`);
  } else await post(`${checkoutUrl}/pay`);
  if (late) count.paidLate++;
  else count.paid++;
}

async function createOne(p: PlannedOrder): Promise<void> {
  const traceId = crypto.randomUUID();
  const res = await post(`${args.url}/mixpay/create_order`, createOrderBody(p, traceId, Date.now() + expiryMs));
  const env = (await res.json()) as { code: number; message: string; data: { checkout_url?: string } };
  if (env.code !== 0) throw new Error(`create_order ${p.amount} ${p.symbol} (${p.wallet}): ${env.code} ${env.message}`);
  count.created++;
  ourTraces.add(traceId);
  const checkout = env.data.checkout_url!;
  const soon = (0.1 + rnd() * 0.4) * expiryMs;
  if (p.fate === "settled" || p.fate === "mixpay_refunded") track("pay", () => pay(checkout, false), soon);
  if (p.fate === "paid_late") track("pay late", () => pay(checkout, true), expiryMs + 5_000 + rnd() * 20_000);
  if (p.fate === "expired") count.expiring++;
  if (p.fate === "mixpay_refunded") {
    waitingForSettlement.set(traceId, async () => {
      await post(`${args.emulator}/_emulator/refund`, { trace_id: traceId, code: "40025" });
      count.mixpayRefunds++;
    });
  }
}

/** Settlements as Mixin (the emulator) has them: what MixPay received. */
async function watchSettlements(): Promise<void> {
  const list = (await (await call(`${args.emulator}/_emulator/settlements`)).json()) as { traceId: string }[];
  for (const s of list) {
    if (!ourTraces.has(s.traceId) || settledTraces.has(s.traceId)) continue;
    settledTraces.add(s.traceId);
    count.settled++;
    const then = waitingForSettlement.get(s.traceId);
    if (then) {
      waitingForSettlement.delete(s.traceId);
      track("MixPay refund", then, 2_000 + rnd() * 8_000);
    }
  }
}

let ticks = 0;
function progress(final = false): void {
  // In place on a terminal; a line every 10 s into a file or pipe.
  if (!process.stdout.isTTY && !final && ticks++ % 20 !== 0) return;
  const line = `created ${count.created} · paid ${count.paid} · settled ${count.settled} · refunds (paid late ${count.paidLate}, MixPay ${count.mixpayRefunds}) · left to expire ${count.expiring} · errors ${count.errors}${lastError ? ` (last: ${lastError.slice(0, 100)})` : ""}`;
  if (process.stdout.isTTY && !final) process.stdout.write(`\r\x1b[2K${line}`);
  else console.log(line);
}

async function main(): Promise<void> {
  console.log(
    `demo traffic → ${args.url} at ${(rate * 60).toFixed(1)} orders/min (seed ${seed}); Mixin emulator ${args.emulator}; Ctrl-C stops`,
  );
  await call(`${args.emulator}/_emulator/state`).catch(() => {
    throw new Error(
      `no Mixin emulator at ${args.emulator}: start the broker with npm run dev first (or pass --emulator)`,
    );
  });
  // A broker restarted on an older store refuses orders until its first balance sync (within a minute).
  for (let i = 0; ; i++) {
    const range = (await (await call(`${args.url}/mixpay/assets/range?payee_id=${DEMO_PAYEE}&wallet=demo`)).json()) as {
      data: unknown[];
    };
    if (range.data.length > 0) break;
    if (i === 0) console.log("waiting for the broker's first balance sync…");
    if (i >= 45) throw new Error(`${args.url} offers no asset after 90 s (is its balance sync running?)`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const creator = setInterval(
    () => track("create_order", () => createOne(plan.next().value as PlannedOrder)),
    1000 / rate,
  );
  const watcher = setInterval(() => {
    watchSettlements().catch((e: unknown) => {
      count.errors++;
      lastError = `settlements: ${(e as Error).message}`;
    });
  }, 2_000);
  const ticker = setInterval(() => progress(), 500);
  let interrupts = 0;
  process.on("SIGINT", () => {
    if (++interrupts > 1) process.exit(130);
    stopping = true;
    clearInterval(creator);
    clearInterval(watcher);
    clearInterval(ticker);
    // Steps already under way finish; scheduled ones are dropped (their orders expire at the broker).
    for (const t of timers) clearTimeout(t);
    void Promise.allSettled([...running]).then(() => {
      if (process.stdout.isTTY) process.stdout.write("\n");
      progress(true);
      process.exit(0);
    });
  });
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
