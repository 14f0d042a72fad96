import type { Env } from "@/server/env";

/**
 * Mixin's OAuth (authorization code + PKCE), with its two departures from RFC 6749 smoothed over
 * for an RFC client (next-auth's oauth4webapi): the token exchange takes a JSON body and answers
 * `{"data": {"access_token", "scope"}}` without a token_type, and every API answer is wrapped in
 * `data` (errors in `error`). No framework imports; adapters/auth/mixin-provider.ts wires it in.
 */
export type MixinOAuthConfig = NonNullable<Env["mixinOAuth"]>;

/** Mixin's profile (GET /me with the OAuth access token), the fields the console uses. */
export interface MixinProfile {
  user_id: string;
  full_name: string;
  identity_number: string;
  avatar_url?: string;
}

interface MixinEnvelope<T> {
  data?: T;
  error?: { code: number; description: string };
}

/**
 * A fetch for the OAuth client: requests to the token URL are re-sent the way Mixin wants them
 * (JSON with the client secret) and the answer is reshaped into an RFC 6749 token response;
 * anything else passes through.
 */
export function mixinTokenFetch(cfg: MixinOAuthConfig): typeof fetch {
  const tokenUrl = new URL(cfg.tokenUrl).toString();
  return async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    if (url !== tokenUrl || !init?.body) return fetch(input, init);
    const form = new URLSearchParams(init.body as string | URLSearchParams);
    const res = await fetch(cfg.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        client_id: cfg.clientId,
        client_secret: cfg.clientSecret,
        code: form.get("code"),
        code_verifier: form.get("code_verifier") ?? undefined,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as MixinEnvelope<{ access_token?: string; scope?: string }>;
    const accessToken = body.data?.access_token;
    const conformed = accessToken
      ? { access_token: accessToken, token_type: "bearer", scope: body.data!.scope }
      : {
          error: "invalid_grant",
          error_description: body.error ? `${body.error.code} ${body.error.description}` : `HTTP ${res.status}`,
        };
    return new Response(JSON.stringify(conformed), {
      status: accessToken ? 200 : 400,
      headers: { "content-type": "application/json" },
    });
  };
}

/** The signed-in user's Mixin profile. */
export async function fetchMixinProfile(cfg: MixinOAuthConfig, accessToken: string): Promise<MixinProfile> {
  const res = await fetch(cfg.profileUrl, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
  });
  const body = (await res.json().catch(() => ({}))) as MixinEnvelope<MixinProfile>;
  if (!body.data?.user_id)
    throw new Error(
      `Mixin profile: ${body.error ? `${body.error.code} ${body.error.description}` : `HTTP ${res.status}`}`,
    );
  return body.data;
}

export function profileToUser(p: MixinProfile) {
  return { id: p.user_id, name: p.full_name || `Mixin ${p.identity_number}`, email: null, image: p.avatar_url || null };
}
