import { handleCreateOrder, handleUnknown } from "@/adapters/mixpay-http/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = handleCreateOrder;
const wrongMethod = (req: Request) => handleUnknown(req, "POST");
// OPTIONS and HEAD too: Next would answer those itself (204 / empty) and this route skips the proxy (it reads a body).
export {
  wrongMethod as GET,
  wrongMethod as PUT,
  wrongMethod as PATCH,
  wrongMethod as DELETE,
  wrongMethod as OPTIONS,
  wrongMethod as HEAD,
};
