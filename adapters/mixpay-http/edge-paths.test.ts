import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mixpayEdge } from "./edge-paths";

async function expectEnvelope(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["code", "data", "message", "success"]);
  expect(body.success).toBe(false);
}

describe("mixpayEdge: the /mixpay answers Next would not give as the envelope", () => {
  it("rewrites trailing and doubled slashes to the route", () => {
    expect(mixpayEdge("POST", "/mixpay/create_order/")).toEqual({ rewrite: "/mixpay/create_order" });
    expect(mixpayEdge("GET", "/mixpay//assets//range//")).toEqual({ rewrite: "/mixpay/assets/range" });
    expect(mixpayEdge("GET", "/mixpay/assets/range")).toBeUndefined();
    expect(mixpayEdge("HEAD", "/mixpay/assets/range")).toBeUndefined();
  });

  it("answers OPTIONS and other methods with 405 + Allow, malformed escapes with 400, unknown paths with 404", async () => {
    const opt = mixpayEdge("OPTIONS", "/mixpay/create_order") as { respond: Response };
    expect(opt.respond.status).toBe(405);
    expect(opt.respond.headers.get("allow")).toBe("POST");
    await expectEnvelope(opt.respond);
    const bad = mixpayEdge("GET", "/mixpay/%E0%A4%A") as { respond: Response };
    expect(bad.respond.status).toBe(400);
    await expectEnvelope(bad.respond);
    const unknown = mixpayEdge("GET", "/mixpay/Create_Order") as { respond: Response };
    expect(unknown.respond.status).toBe(404);
    await expectEnvelope(unknown.respond);
  });

  it("never returns anything but the envelope, a rewrite to a route, or the route itself (fuzzed, fixed seed)", async () => {
    const seg = fc.oneof(
      fc.constantFrom("mixpay", "assets", "range", "create_order", "", "%", "%zz", "%2F", "..", ".", "%00"),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"),
        fc.array(seg, { maxLength: 5 }),
        fc.boolean(),
        async (method, segs, trailing) => {
          const path = `/mixpay/${segs.join("/")}${trailing ? "/" : ""}`.replace(/[?#]/g, "");
          const r = mixpayEdge(method, path);
          if (r === undefined) expect(["/mixpay/assets/range", "/mixpay/create_order"]).toContain(path);
          else if ("rewrite" in r) expect(["/mixpay/assets/range", "/mixpay/create_order"]).toContain(r.rewrite);
          else await expectEnvelope(r.respond);
        },
      ),
      { seed: 20261126, numRuns: 500 },
    );
  });
});
