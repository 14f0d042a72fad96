import { handleUnknown } from "@/adapters/mixpay-http/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// /mixpay itself and unknown paths under it (an optional catch-all: one file for both) answer the
// envelope too, never Next's HTML 404. The routes beside it (assets/range, create_order) win over it.
const unknown = (req: Request) => handleUnknown(req);
export { unknown as GET, unknown as POST, unknown as PUT, unknown as PATCH, unknown as DELETE };
