import { handleAssetsRange, handleUnknown } from "@/adapters/mixpay-http/handlers";
import { mixpayEdge } from "@/adapters/mixpay-http/edge-paths";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handleAssetsRange;
// The proxy skips this exact path (proxy.ts): OPTIONS gets the proxy's answer here (405, Allow:
// GET, HEAD), never Next's own 204. HEAD is Next's GET without the body, as through the proxy.
const wrongMethod = (req: Request) => {
  const edge = mixpayEdge(req.method, "/mixpay/assets/range");
  return edge && "respond" in edge ? edge.respond : handleUnknown(req, "GET");
};
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE, wrongMethod as OPTIONS };
