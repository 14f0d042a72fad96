import { parse as parseLosslessJson } from "lossless-json";
import { AppError } from "@/server/errors";
import { BodyTooLargeError, readCappedBytes } from "@/adapters/http/read-capped-body";

export { BodyTooLargeError };

/** MixPay's bodies are tiny; anything bigger is refused, counting the bytes actually read. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Read a create_order body: JSON or form-encoded (urlencoded or multipart), whatever the
 * content-type claims when it is missing. Numbers in JSON keep their exact digits (read as
 * strings, never through a JS number), so `"amount": 1.0002` is "1.0002".
 */
export async function readBodyParams(req: Request): Promise<Record<string, unknown>> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  // Every content type is read under the same cap first (multipart too: never req.formData() on the live stream).
  const bytes = await readCappedBytes(req, MAX_BODY_BYTES);
  if (type.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { "content-type": req.headers.get("content-type")! } }).formData();
    } catch {
      throw AppError.badParameter("body", "the form body could not be read");
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) if (!(k in out)) out[k] = typeof v === "string" ? v : { file: true };
    return out;
  }
  const text = decodeUtf8(bytes);
  const trimmed = text.trimStart();
  if (
    type.includes("json") ||
    (!type.includes("x-www-form-urlencoded") && (trimmed.startsWith("{") || trimmed.startsWith("[")))
  ) {
    return parseJsonObject(text);
  }
  return firstValues(new URLSearchParams(text));
}

export function readQueryParams(url: URL): Record<string, unknown> {
  return firstValues(url.searchParams);
}

function firstValues(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw AppError.badParameter("body", "the body is not valid UTF-8");
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    // Numbers arrive as their exact source text.
    value = parseLosslessJson(text, null, (digits: string) => ({ jsonNumber: digits }));
  } catch {
    throw AppError.badParameter("body", "the body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw AppError.badParameter("body", "the body must be a JSON object");
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isJsonNumber(v) ? v.jsonNumber : v;
  return out;
}

function isJsonNumber(v: unknown): v is { jsonNumber: string } {
  return (
    typeof v === "object" &&
    v !== null &&
    "jsonNumber" in v &&
    typeof (v as { jsonNumber: unknown }).jsonNumber === "string"
  );
}
