import NextAuth, { CredentialsSignin, type NextAuthResult } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db";
import { env } from "@/server/env";
import { logger } from "@/server/logger";
import { mixinProvider } from "./mixin-provider";
import { judgeTransport } from "@/adapters/http/transport";
import { signInWithPassword } from "@/server/auth/password-sign-in";
import { signInWithMixin, type Role } from "@/server/auth/users";

/** Too many failures on this account or address: the sign-in page says to wait (not which key). */
export class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

/** The client address as the listener saw it (through trusted proxies only); undefined outside `npm start`. */
function clientAddress(req: Request | undefined): string | undefined {
  if (!req) return undefined;
  const v = judgeTransport(req.headers, {
    requireHttps: false,
    trustedProxies: env().TRUSTED_PROXIES,
    allowedSources: [],
  });
  return v.ok ? v.clientAddr : undefined;
}

const credentials = z.object({ email: z.email(), password: z.string().min(1).max(200) });

/**
 * Console sign-in (next-auth v5, the App Router line): email + password checked against argon2
 * hashes, sessions as signed JWT cookies so they survive restarts. The role and user id ride in
 * the token; the tRPC context re-reads the user on every request (a disabled user is out at once).
 */
const nextAuth: NextAuthResult = NextAuth({
  secret: env().authSecret,
  // Behind our own server and proxies; the host header is trusted like Next itself does.
  trustHost: true,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  // A wrong password is an ordinary event, not a stack trace in the log.
  logger: {
    error(error) {
      if (error.name === "CredentialsSignin" || error instanceof CredentialsSignin)
        logger("auth").info("sign-in refused: wrong email or password");
      else logger("auth").error({ err: error }, "auth error");
    },
    warn(code) {
      logger("auth").warn({ code }, "auth warning");
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        const r = await signInWithPassword(await getDb(), { ...parsed.data, address: clientAddress(request) });
        if (!r.ok) {
          if (r.reason === "wrong") return null;
          throw new ThrottledSignIn();
        }
        const user = r.user;
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
    ...(env().mixinOAuth ? [mixinProvider(env().mixinOAuth!)] : []),
  ],
  callbacks: {
    /**
     * After sign-in only paths of this broker, on its public URL: behind our listener the request
     * origin next-auth sees may differ from the one the browser used (e.g. localhost vs 127.0.0.1).
     */
    redirect({ url }) {
      const base = env().PUBLIC_BASE_URL;
      let path = "/console";
      try {
        const u = new URL(url, base);
        if (u.pathname.startsWith("/") && !u.pathname.startsWith("//")) path = `${u.pathname}${u.search}`;
      } catch {
        // not a URL: the console
      }
      return new URL(path === "/" ? "/console" : path, base).toString();
    },
    /** Mixin: find or create the console user of this Mixin id (a merchant whose payee id it is). */
    async signIn({ user, account, profile }) {
      if (account?.provider !== "mixin") return true;
      const mixinUserId = (profile as { user_id?: string } | undefined)?.user_id;
      if (!mixinUserId) return false;
      const found = await signInWithMixin(await getDb(), { mixinUserId, name: user.name ?? "" });
      if (!found) return "/sign-in?error=disabled";
      // The same object reaches the jwt callback: carry our user id and role there.
      Object.assign(user, { id: found.id, role: found.role });
      return true;
    },
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: Role }).role;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, userId: token.uid as string | undefined, role: token.role as Role | undefined };
    },
  },
});

export const { handlers, auth, signIn, signOut } = nextAuth;
