import { handleAssetsRange, handleUnknown } from "@/server/mixpay/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = handleAssetsRange;
const wrongMethod = (req: Request) => handleUnknown(req, "GET");
export { wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
