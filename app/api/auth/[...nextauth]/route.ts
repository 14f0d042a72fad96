import { NextRequest } from "next/server";
import { handlers } from "@/adapters/auth/auth";
import { capBody } from "@/adapters/http/read-capped-body";

export const runtime = "nodejs";

/** Sign-in forms are a few hundred bytes; the cap counts the bytes read before next-auth parses them. */
const MAX_BODY_BYTES = 64 * 1024;

export const GET = handlers.GET;
export const POST = capBody(MAX_BODY_BYTES, (req: Request) => handlers.POST(new NextRequest(req)));
