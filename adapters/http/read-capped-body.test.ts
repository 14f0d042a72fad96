import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, readBodyParams } from "@/adapters/mixpay-http/read-params";
import { BodyTooLargeError, capBody, readCappedBytes } from "./read-capped-body";

/** A chunked body of `total` bytes (no Content-Length) that counts what the reader pulled and whether it was cancelled. */
function huge(total: number, chunk = 8 * 1024, head = "") {
  const seen = { pulled: 0, cancelled: false };
  let sent = 0;
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (sent >= total) return c.close();
        const bytes = sent === 0 && head ? enc.encode(head.padEnd(chunk, "a")) : new Uint8Array(chunk).fill(97);
        sent += bytes.byteLength;
        seen.pulled += bytes.byteLength;
        c.enqueue(bytes);
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, seen };
}

const req = (body: ReadableStream<Uint8Array>, type: string) =>
  new Request("http://broker.test/mixpay/create_order", {
    method: "POST",
    body,
    headers: { "content-type": type },
    duplex: "half",
  } as RequestInit);

describe("bodies are capped on the bytes read", () => {
  it("a 96 MiB chunked multipart create_order body is refused after reading about the cap, and the stream is cancelled", async () => {
    const { body, seen } = huge(96 * 1024 * 1024, 8 * 1024, '--b\r\ncontent-disposition: form-data; name="x"\r\n\r\n');
    await expect(readBodyParams(req(body, "multipart/form-data; boundary=b"))).rejects.toBeInstanceOf(
      BodyTooLargeError,
    );
    expect(seen.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 8 * 1024);
    expect(seen.cancelled).toBe(true);
  });

  it.each(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])(
    "the same for content type %j",
    async (type) => {
      const { body, seen } = huge(8 * 1024 * 1024);
      await expect(readBodyParams(req(body, type))).rejects.toBeInstanceOf(BodyTooLargeError);
      expect(seen.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 8 * 1024);
      expect(seen.cancelled).toBe(true);
    },
  );

  it("a declared Content-Length over the cap is refused before reading anything", async () => {
    const { body, seen } = huge(1024 * 1024);
    const r = new Request("http://broker.test/x", {
      method: "POST",
      body,
      headers: { "content-length": String(1024 * 1024) },
      duplex: "half",
    } as RequestInit);
    await expect(readCappedBytes(r, 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(seen.pulled).toBeLessThanOrEqual(8 * 1024);
  });

  it("a small multipart body under the cap still parses", async () => {
    const form = new FormData();
    form.set("trace_id", "t-1");
    const r = new Request("http://broker.test/mixpay/create_order", { method: "POST", body: form });
    expect(await readBodyParams(r)).toEqual({ trace_id: "t-1" });
  });

  it("capBody answers 413 (webhook, tRPC, auth) and never calls the handler past the cap; under it the handler gets the same bytes", async () => {
    let called = 0;
    const h = capBody(64 * 1024, async (r: Request) => {
      called++;
      return new Response(await r.text());
    });
    const { body, seen } = huge(32 * 1024 * 1024);
    const res = await h(req(body, "application/json"), {});
    expect(res.status).toBe(413);
    expect(called).toBe(0);
    expect(seen.pulled).toBeLessThanOrEqual(64 * 1024 + 2 * 8 * 1024);
    const ok = await h(new Request("http://broker.test/api/trpc/x", { method: "POST", body: '{"a":1}' }), {});
    expect(await ok.text()).toBe('{"a":1}');
  });
});
