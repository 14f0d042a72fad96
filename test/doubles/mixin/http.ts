/** What the emulator's routes share: the request context (the exact body text) and Mixin's answer shapes. */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

export type EmulatorEnv = {
  Bindings: HttpBindings;
  /** The request body as sent (the session token signs these exact bytes). */
  Variables: { body: string };
};
export type EmulatorContext = Context<EmulatorEnv>;

/** Mixin's success shape. */
export const ok = (c: EmulatorContext, data: unknown) => c.json({ data }, 200);
/** Mixin's refusal shape: HTTP 202 with {"error":{status,code,description}}. */
export const mixinError = (c: EmulatorContext, code: number, description: string) =>
  c.json({ error: { status: 202, code, description } }, 202);
/** The body as JSON (undefined when empty); malformed JSON throws (answered 500, as before). */
export const bodyJson = (c: EmulatorContext): unknown => {
  const body = c.get("body");
  return body ? (JSON.parse(body) as unknown) : undefined;
};
