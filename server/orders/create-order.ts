import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { assets, orderEvents, orders } from "@/db/schema";
import { judgePayeeAccess } from "@/server/access/check-payee-access";
import { catalogAt, currentCatalog, type AssetRow } from "@/server/catalog/catalog-cache";
import { raiseAlert } from "@/server/alerts/raise-alert";
import { env } from "@/server/env";
import { AppError, AppErrorCode } from "@/server/errors";
import type { CreateOrderParams } from "@/server/mixpay/schemas";
import { dec, feeFor, fmt8 } from "@/server/money";
import type { WalletProvider } from "@/server/wallets/port";
import { assetLimits } from "./asset-limits";
import { walletServed } from "./get-assets-range";
import { rowsOf } from "./reservations";
import { reserveAndInsertOrder } from "./reserve-order";
import { transitionOrder, type Order } from "./transition-order";

export interface PaymentLinks {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

export interface CreateOrderDeps {
  walletProvider(kind: "demo" | "binance"): WalletProvider;
  /** Which provider serves a wallet row's provider now (binance → demo until configured). */
  servedBy?(kind: "demo" | "binance"): "demo" | "binance";
  now?: Date;
  /**
   * catalog_version as read inside the caller's first statement (the MixPay handler's rate-limit
   * upsert): the cached catalog is used if it is that version. Absent: read with one query here.
   */
  catalogVersion?: string | null;
}

const ACTOR = "mixpay";

/**
 * MixPay's create_order (spec, Step 2 §3): validate against the catalog and access policy,
 * reserve the amount against the bot's synced balance, store the order, then ask the wallet for
 * payment links. Idempotent by trace_id: the same request again answers the same links; the
 * same trace_id with other parameters is a parameter error.
 */
export async function createOrder(db: Db, p: CreateOrderParams, deps: CreateOrderDeps): Promise<PaymentLinks> {
  const now = deps.now ?? new Date();
  const catalog =
    deps.catalogVersion === undefined ? await currentCatalog(db) : await catalogAt(db, deps.catalogVersion);
  const wallet = walletServed(catalog, p.wallet);
  const access = judgePayeeAccess(catalog.accessMode, catalog.accessLists.get(p.payee_id));
  if (!access.allowed)
    throw new AppError(AppErrorCode.NO_PERMISSION, "No permission", { details: { reason: access.reason } });

  const requestHash = hashCreateOrderParams(p);

  const asset = catalog.assets.get(p.asset_id);
  const refusal = catalogRefusal(asset, p);
  if (refusal || !asset) {
    // The trace is looked up only here and after a refused reservation (not on the hot path):
    // a repeat of a stored order keeps its links even if the catalog changed since.
    const again = await findByTraceId(db, p.trace_id);
    if (again) return answerRepeat(db, again, requestHash, deps);
    throw refusal;
  }
  const { fee, payAmount } = feeFor(p.amount, asset.feeRate);

  let order: Order;
  try {
    // Check and reserve in one statement on the asset's balance row (server/orders/reserve-order.ts).
    const r = await reserveAndInsertOrder(
      db,
      {
        traceId: p.trace_id,
        payeeId: p.payee_id,
        wallet: wallet.name,
        assetId: p.asset_id,
        amount: p.amount,
        feeRate: asset.feeRate,
        fee,
        payAmount,
        memo: p.memo,
        expiredAt: new Date(p.expired_at * 1000),
        returnUrl: p.return_url,
        opponentId: p.opponent_id,
        requestHash,
        walletProvider: deps.servedBy?.(wallet.provider) ?? wallet.provider,
        createdAt: now,
      },
      {
        actor: ACTOR,
        message: `MixPay asked for ${p.amount} ${asset.symbol}; the end user pays ${payAmount} (fee ${fee})`,
        data: { amount: p.amount, fee, payAmount, expiredAt: p.expired_at },
      },
      env().BALANCE_SYNC_MAX_AGE_SECONDS,
    );
    if (!r.ok) {
      // A repeat of a stored order is answered with its links, even if the balance is short now.
      const again = r.existingOrderId ? await findByTraceId(db, p.trace_id) : undefined;
      if (again) return answerRepeat(db, again, requestHash, deps);
      const stale = r.reason === "balance_stale";
      throw new AppError(
        AppErrorCode.PAYMENT_UNAVAILABLE,
        stale ? "balance not synced recently" : "insufficient balance",
        {
          details: {
            reason: r.reason,
            balance: r.balance,
            reserved: r.reserved,
            amount: p.amount,
            syncedAt: r.syncedAt?.toISOString() ?? null,
          },
        },
      );
    }
    order = r.order;
  } catch (e) {
    if (isUniqueViolation(e)) {
      // The same trace_id arrived twice at once: the other request created it.
      const again = await findByTraceId(db, p.trace_id);
      if (again) return answerRepeat(db, again, requestHash, deps);
    }
    if (e instanceof AppError && e.details?.reason === "insufficient_balance") {
      await raiseAlert(db, {
        kind: "balance_unavailable",
        dedupeKey: `balance_unavailable:${p.asset_id}`,
        severity: "critical",
        assetId: p.asset_id,
        message: `create_order answered 11002: ${p.amount} ${asset.symbol} asked, ${String(e.details.balance)} held, ${String(e.details.reserved)} reserved. Top up the Mixin bot.`,
        data: { ...e.details, traceId: p.trace_id },
      });
    }
    if (e instanceof AppError && e.details?.reason === "balance_stale") {
      await raiseAlert(db, {
        kind: "balance_stale",
        dedupeKey: `balance_stale:${p.asset_id}`,
        severity: "critical",
        assetId: p.asset_id,
        message: `create_order answered 11002: the ${asset.symbol} balance was last synced at ${String(e.details.syncedAt ?? "never")}, more than ${env().BALANCE_SYNC_MAX_AGE_SECONDS} s ago. Check the balance sync (Mixin reachable? Inngest running?).`,
        data: { ...e.details, traceId: p.trace_id },
      });
    }
    throw e;
  }
  return requestWalletPayment(db, order, asset.symbol, deps);
}

/** Why the catalog refuses this request now (asset not offered, no price, amount out of range), if it does. */
function catalogRefusal(asset: AssetRow | undefined, p: CreateOrderParams): AppError | undefined {
  if (!asset || !asset.enabled)
    return AppError.badParameter("asset_id", `asset_id ${p.asset_id} is not offered by this broker`);
  const limits = assetLimits(asset);
  if (!limits)
    return AppError.badParameter(
      "asset_id",
      `asset_id ${p.asset_id} is not offered by this broker right now (no price)`,
    );
  const amount = dec(p.amount);
  if (amount.lt(limits.min) || amount.gt(limits.max)) {
    return AppError.badParameter(
      "amount",
      `amount must be between ${fmt8(limits.min)} and ${fmt8(limits.max)} ${asset.symbol}`,
    );
  }
  return undefined;
}

async function findByTraceId(db: Db, traceId: string): Promise<Order | undefined> {
  const [o] = await db.select().from(orders).where(eq(orders.traceId, traceId));
  return o;
}

async function answerRepeat(db: Db, order: Order, requestHash: string, deps: CreateOrderDeps): Promise<PaymentLinks> {
  if (order.requestHash !== requestHash) {
    throw AppError.badParameter("trace_id", "trace_id was already used for an order with different parameters");
  }
  if (order.status === "failed")
    throw new AppError(AppErrorCode.PAYMENT_UNAVAILABLE, "the wallet could not create this payment");
  const links = linksOf(order);
  if (links) return links;
  // Stored but the wallet call has not finished (or crashed): providers create idempotently per order.
  const [asset] = await db.select({ symbol: assets.symbol }).from(assets).where(eq(assets.assetId, order.assetId));
  return requestWalletPayment(db, order, asset?.symbol ?? "", deps);
}

function linksOf(o: Order): PaymentLinks | undefined {
  if (!o.checkoutUrl) return undefined;
  return { checkout_url: o.checkoutUrl, deep_link: o.deepLink ?? "", universal_url: o.universalUrl ?? "" };
}

/** Ask the wallet for links after the commit (no lock is held over a remote call). */
async function requestWalletPayment(
  db: Db,
  order: Order,
  assetSymbol: string,
  deps: CreateOrderDeps,
): Promise<PaymentLinks> {
  const actor = `wallet:${order.walletProvider}`;
  try {
    const provider = deps.walletProvider(order.walletProvider as "demo" | "binance");
    const payment = await provider.createPayment({
      id: order.id,
      traceId: order.traceId,
      wallet: order.wallet,
      assetId: order.assetId,
      assetSymbol,
      payAmount: order.payAmount,
      expiredAt: order.expiredAt,
    });
    // The links and their timeline event in one statement; nothing when a concurrent repeat stored links first.
    const stored = rowsOf<{ checkout_url: string; deep_link: string | null; universal_url: string | null }>(
      await db.execute(sql`
        with u as (
          update ${orders} set wallet_order_id = ${payment.walletOrderId}, wallet_trade_no = ${payment.walletTradeNo},
                 checkout_url = ${payment.checkoutUrl}, deep_link = ${payment.deepLink}, universal_url = ${payment.universalUrl}, updated_at = ${new Date().toISOString()}::timestamptz
          where id = ${order.id}::uuid and checkout_url is null
          returning id, checkout_url, deep_link, universal_url
        ), e as (
          insert into ${orderEvents} (order_id, type, actor, message, data)
          select id, 'wallet.payment_created', ${actor}, 'the wallet created the payment; links handed to MixPay',
                 ${JSON.stringify({ walletOrderId: payment.walletOrderId, walletTradeNo: payment.walletTradeNo, checkoutUrl: payment.checkoutUrl })}::jsonb
          from u
        )
        select checkout_url, deep_link, universal_url from u`),
    );
    const [updated] = stored;
    if (updated)
      return {
        checkout_url: updated.checkout_url,
        deep_link: updated.deep_link ?? "",
        universal_url: updated.universal_url ?? "",
      };
    // A concurrent repeat stored links first: answer those.
    const current = await findByTraceId(db, order.traceId);
    return (
      linksOf(current!) ?? {
        checkout_url: payment.checkoutUrl,
        deep_link: payment.deepLink,
        universal_url: payment.universalUrl,
      }
    );
  } catch (e) {
    const cause = e instanceof Error ? e.message : String(e);
    await transitionOrder(db, {
      orderId: order.id,
      from: "created",
      to: "failed",
      actor,
      type: "wallet.create_failed",
      message: `the wallet could not create the payment: ${cause}`,
      patch: { statusReason: cause },
    }).catch(() => undefined);
    await raiseAlert(db, {
      kind: "wallet_unavailable",
      dedupeKey: `wallet_unavailable:${order.wallet}`,
      severity: "critical",
      message: `The ${order.wallet} wallet could not create a payment: ${cause}`,
      orderId: order.id,
      data: { wallet: order.wallet, cause },
    });
    throw new AppError(AppErrorCode.PAYMENT_UNAVAILABLE, "the wallet could not create this payment", { cause: e });
  }
}

/** sha256 of the canonical parameters: what makes a repeat "the same request". */
export function hashCreateOrderParams(p: CreateOrderParams): string {
  const canonical = [
    p.payee_id,
    p.wallet,
    p.asset_id,
    dec(p.amount).toFixed(),
    p.trace_id,
    p.memo,
    String(p.expired_at),
    p.return_url,
    p.opponent_id,
  ];
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

function isUniqueViolation(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
    if (typeof cur === "object" && cur !== null && "code" in cur && (cur as { code: unknown }).code === "23505")
      return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
