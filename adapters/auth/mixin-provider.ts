import { customFetch } from "next-auth";
import type { OAuthConfig } from "next-auth/providers";
import {
  fetchMixinProfile,
  mixinTokenFetch,
  profileToUser,
  type MixinOAuthConfig,
  type MixinProfile,
} from "./mixin-oauth";

/** "Sign in with Mixin" for next-auth; endpoints come from the environment (tests use a local double). */
export function mixinProvider(cfg: MixinOAuthConfig): OAuthConfig<MixinProfile> {
  return {
    id: "mixin",
    name: "Mixin",
    type: "oauth",
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    checks: ["pkce", "state"],
    authorization: { url: cfg.authorizeUrl, params: { scope: "PROFILE:READ", response_type: "code" } },
    token: { url: cfg.tokenUrl },
    userinfo: {
      url: cfg.profileUrl,
      request: ({ tokens }: { tokens: { access_token?: string } }) => fetchMixinProfile(cfg, tokens.access_token ?? ""),
    },
    profile: profileToUser,
    [customFetch]: mixinTokenFetch(cfg),
  };
}
