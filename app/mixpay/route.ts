import { handleUnknown } from "@/adapters/mixpay-http/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Unknown paths under /mixpay answer the envelope too, never Next's HTML 404.
const unknown = (req: Request) => handleUnknown(req);
export { unknown as GET, unknown as POST, unknown as PUT, unknown as PATCH, unknown as DELETE };
