import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { capBody } from "@/adapters/http/read-capped-body";
import { createContext } from "@/adapters/trpc/context";
import { appRouter } from "@/adapters/trpc/root";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Console calls are small JSON; 256 KiB is generous and is counted on the bytes read. */
const MAX_BODY_BYTES = 256 * 1024;
const handler = capBody(MAX_BODY_BYTES, (req: Request) =>
  fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext }),
);
export { handler as GET, handler as POST };
