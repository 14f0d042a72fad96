import { handleCreateOrder, handleUnknown } from "@/server/mixpay/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = handleCreateOrder;
const wrongMethod = (req: Request) => handleUnknown(req, "POST");
export { wrongMethod as GET, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
