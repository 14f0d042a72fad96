import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";

// The Mixin SDK and the store need Node APIs; never the Edge runtime.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({ client: inngest, functions });
