import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { orders } from "@/db/schema";
import { returnRedirect } from "@/adapters/http/return-redirect";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The broker's return route: wallets send the user here after paying, and it 302s to MixPay's
 * return_url (the spec requires a 302). Wallets get this address, never MixPay's URL directly,
 * so the redirect target always comes from the stored order —
 * and it must be on an allowed host (adapters/http/return-redirect.ts).
 */
export async function GET(_req: Request, ctx: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await ctx.params;
  if (!/^[0-9a-f-]{36}$/i.test(orderId)) return new Response("Not found", { status: 404 });
  const [o] = await (await getDb()).select({ returnUrl: orders.returnUrl }).from(orders).where(eq(orders.id, orderId));
  if (!o) return new Response("Not found", { status: 404 });
  // Only to an allowed host (RETURN_URL_ALLOWED_HOSTS); anything else gets a safe page, not a redirect.
  return returnRedirect(o.returnUrl);
}
