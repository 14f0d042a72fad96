import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { EmulatorContext, EmulatorEnv } from "./http";

/**
 * A test double of Mixin's OAuth, mounted inside the Mixin emulator (development and tests only):
 *
 *  - `GET /oauth/authorize?client_id&scope&state&code_challenge…` — Mixin shows a QR code for
 *    Mixin Messenger here; the double shows a form where the tester types the Mixin user id (and
 *    name) who "scans" it, then redirects to the app's OAuth URL with `?code=…&state=…`. Mixin takes
 *    that URL from the bot's dashboard settings; the double uses the `redirect_uri` the app sends.
 *  - `POST /oauth/token` JSON `{client_id, client_secret, code, code_verifier}` →
 *    `{"data": {"access_token", "scope", "authorization_id"}}` (codes are single-use; the PKCE
 *    verifier is checked against the challenge when one was sent).
 *  - `GET /me` with `Authorization: Bearer <access_token>` → `{"data": {user_id, full_name, …}}`.
 *    Requests to `/me` with a session JWT are left to the emulator (the bot's own `/me`).
 *
 * Errors come back in Mixin's shape: `{"error": {"status": 202, "code": …, "description": …}}`.
 */
export const EMULATED_OAUTH_CLIENT_SECRET = "emulated-mixin-oauth-client-secret";

interface Grant {
  userId: string;
  fullName: string;
  clientId: string;
  scope: string;
  codeChallenge?: string;
}

/** The OAuth routes, to mount in the emulator's app before its session-token check. */
export function mixinOAuthRoutes(opts: { clientId: string; clientSecret?: string }) {
  const clientSecret = opts.clientSecret ?? EMULATED_OAUTH_CLIENT_SECRET;
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, Grant>();
  const app = new Hono<EmulatorEnv>();

  app.get("/oauth/authorize", (c) => {
    const p = new URL(c.req.url).searchParams;
    if (p.get("client_id") !== opts.clientId) return c.json(mixinError(10002, "Invalid client_id."), 200);
    const hidden = ["client_id", "scope", "state", "code_challenge", "redirect_uri"]
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p.get(k) ?? "")}">`)
      .join("");
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mixin OAuth (emulator)</title></head>
<body style="font-family:system-ui;max-width:28rem;margin:3rem auto">
<h1>Authorize with Mixin (emulator)</h1>
<p>Real Mixin shows a QR code for Mixin Messenger here. Scope: <code>${escapeHtml(p.get("scope") ?? "")}</code></p>
<form method="post" action="/oauth/authorize/approve">${hidden}
<p><label>Mixin user id <input name="user_id" required value="${randomUUID()}" size="40"></label></p>
<p><label>Full name <input name="full_name" value="Emulated Mixin user"></label></p>
<button type="submit">Authorize</button></form></body></html>`;
    return c.body(html, 200, { "content-type": "text/html; charset=utf-8" });
  });

  app.post("/oauth/authorize/approve", (c) => {
    const form = new URLSearchParams(c.get("body"));
    const redirect = form.get("redirect_uri");
    const userId = form.get("user_id") ?? "";
    if (!redirect || !/^[0-9a-f-]{36}$/i.test(userId))
      return c.json(mixinError(10002, "redirect_uri and a user id are required"), 400);
    const code = randomBytes(16).toString("hex");
    codes.set(code, {
      userId: userId.toLowerCase(),
      fullName: form.get("full_name") ?? "",
      clientId: form.get("client_id") ?? "",
      scope: form.get("scope") ?? "PROFILE:READ",
      codeChallenge: form.get("code_challenge") || undefined,
    });
    const to = new URL(redirect);
    to.searchParams.set("code", code);
    if (form.get("state")) to.searchParams.set("state", form.get("state")!);
    return c.redirect(to.toString(), 302);
  });

  app.post("/oauth/token", (c) => exchange(c));

  app.get("/me", async (c, next) => {
    const bearer = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const grant = bearer ? tokens.get(bearer) : undefined;
    if (grant) return c.json({ data: profile(grant) }, 200);
    // A session JWT (three segments) is the bot's own /me; any other unknown token is refused.
    if (bearer?.split(".").length === 3) return next();
    return c.json(mixinError(401, "Unauthorized, maybe invalid token."), 200);
  });

  function exchange(c: EmulatorContext) {
    let input: { client_id?: string; client_secret?: string; code?: string; code_verifier?: string };
    try {
      input = JSON.parse(c.get("body")) as typeof input;
    } catch {
      return c.json(mixinError(10002, "Invalid JSON."), 200);
    }
    if (input.client_id !== opts.clientId || input.client_secret !== clientSecret)
      return c.json(mixinError(401, "Unauthorized, maybe invalid token."), 200);
    const grant = input.code ? codes.get(input.code) : undefined;
    if (!grant || grant.clientId !== input.client_id) return c.json(mixinError(403, "Forbidden."), 200);
    codes.delete(input.code!); // single use
    if (grant.codeChallenge) {
      const expected = createHash("sha256")
        .update(input.code_verifier ?? "")
        .digest("base64url");
      if (expected !== grant.codeChallenge) return c.json(mixinError(403, "Forbidden."), 200);
    }
    const accessToken = randomBytes(24).toString("base64url");
    tokens.set(accessToken, grant);
    return c.json({ data: { access_token: accessToken, scope: grant.scope, authorization_id: randomUUID() } }, 200);
  }

  return app;
}

function profile(g: Grant) {
  return {
    type: "user",
    user_id: g.userId,
    identity_number: String(7000000000 + (parseInt(g.userId.slice(0, 6), 16) % 1000000)),
    phone: "",
    full_name: g.fullName,
    biography: "",
    avatar_url: "",
    relationship: "",
    mute_until: "0001-01-01T00:00:00Z",
    created_at: new Date(0).toISOString(),
    is_verified: false,
    is_scam: false,
    has_safe: true,
  };
}

function mixinError(code: number, description: string) {
  return { error: { status: 202, code, description } };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
