import { handlers } from "@/server/auth/auth";

export const runtime = "nodejs";
export const { GET, POST } = handlers;
