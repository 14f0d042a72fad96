import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { orders } from "@/db/schema";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The broker's return route: wallets send the user here after paying, and it 302s to MixPay's
 * return_url (the spec requires a 302). Wallets get this address, never MixPay's URL directly,
 * so the redirect target always comes from the stored order.
 */
export async function GET(_req: Request, ctx: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await ctx.params;
  if (!/^[0-9a-f-]{36}$/i.test(orderId)) return new Response("Not found", { status: 404 });
  const [o] = await (await getDb()).select({ returnUrl: orders.returnUrl }).from(orders).where(eq(orders.id, orderId));
  if (!o) return new Response("Not found", { status: 404 });
  return new Response(null, { status: 302, headers: { location: o.returnUrl, "cache-control": "no-store" } });
}
