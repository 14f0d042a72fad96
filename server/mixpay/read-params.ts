import { parse as parseLosslessJson } from "lossless-json";
import { AppError } from "@/server/errors";

/** MixPay's bodies are tiny; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

export class BodyTooLargeError extends Error {}

/**
 * Read a create_order body: JSON or form-encoded (urlencoded or multipart), whatever the
 * content-type claims when it is missing. Numbers in JSON keep their exact digits (read as
 * strings, never through a JS number), so `"amount": 1.0002` is "1.0002".
 */
export async function readBodyParams(req: Request): Promise<Record<string, unknown>> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) throw new BodyTooLargeError();
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw AppError.badParameter("body", "the form body could not be read");
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) if (!(k in out)) out[k] = typeof v === "string" ? v : { file: true };
    return out;
  }
  const text = await readText(req);
  const trimmed = text.trimStart();
  if (type.includes("json") || (!type.includes("x-www-form-urlencoded") && (trimmed.startsWith("{") || trimmed.startsWith("[")))) {
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

async function readText(req: Request): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
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
  return typeof v === "object" && v !== null && "jsonNumber" in v && typeof (v as { jsonNumber: unknown }).jsonNumber === "string";
}
