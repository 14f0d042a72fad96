import { submitCheckout } from "../submit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(_req: Request, ctx: { params: Promise<{ orderId: string }> }) {
  return submitCheckout((await ctx.params).orderId, "cancel");
}
