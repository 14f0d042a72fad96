import type { Metadata } from "next";
import { AuthError, CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/adapters/auth/auth";
import { env } from "@/server/env";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

async function signInWithPassword(form: FormData) {
  "use server";
  try {
    await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirectTo: "/console",
    });
  } catch (e) {
    // A failed sign-in comes back as an AuthError; the success path throws Next's redirect, which must pass.
    if (e instanceof CredentialsSignin && e.code === "throttled") redirect("/sign-in?error=throttled");
    if (e instanceof AuthError) redirect("/sign-in?error=1");
    throw e;
  }
}

async function signInWithMixin() {
  "use server";
  await signIn("mixin", { redirectTo: "/console" });
}

const ERRORS: Record<string, string> = {
  "1": "Wrong email or password.",
  CredentialsSignin: "Wrong email or password.",
  throttled: "Too many failed sign-ins. Wait a little and try again.",
  disabled: "This account is disabled. Ask an operator.",
  AccessDenied: "This account is disabled. Ask an operator.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="text-2xl font-semibold">Sign in to the broker console</h1>
      {error && (
        <p
          role="alert"
          className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          {ERRORS[error] ?? "Sign-in failed. Try again."}
        </p>
      )}
      <form action={signInWithPassword} className="mt-6 space-y-4">
        <label className="block text-sm">
          <span className="font-medium">Email</span>
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <label className="block text-sm">
          <span className="font-medium">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            className="mt-1 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <button
          type="submit"
          className="w-full rounded-md bg-zinc-900 px-4 py-2 font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 dark:bg-zinc-100 dark:text-zinc-900"
        >
          Sign in
        </button>
      </form>
      {env().mixinOAuth && (
        <form action={signInWithMixin} className="mt-6 border-t border-zinc-200 pt-6 dark:border-zinc-800">
          <button
            type="submit"
            className="w-full rounded-md border border-sky-600 px-4 py-2 font-medium text-sky-700 hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-sky-400 dark:text-sky-300 dark:hover:bg-sky-950"
          >
            Sign in with Mixin
          </button>
          <p className="mt-2 text-xs text-zinc-500">
            Merchants: your Mixin account is your MixPay payee id; your payments show at once.
          </p>
        </form>
      )}
    </main>
  );
}
