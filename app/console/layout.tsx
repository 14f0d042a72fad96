import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { signOut } from "@/adapters/auth/auth";
import { createContext } from "@/adapters/trpc/context";
import { ConsoleProviders } from "./providers";

export const dynamic = "force-dynamic";

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/sign-in" });
}

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await createContext();
  if (!user) redirect("/sign-in");
  const links =
    user.role === "operator"
      ? [
          ["/console/overview", "Overview"],
          ["/console/payments", "Orders"],
          ["/console/settlements", "Settlement queue"],
          ["/console/refunds", "Refunds"],
          ["/console/balances", "Balances"],
          ["/console/treasury", "Treasury"],
          ["/console/alerts", "Alerts"],
          ["/console/assets", "Assets & fees"],
          ["/console/wallets", "Wallets"],
          ["/console/access", "Payee access"],
          ["/console/users", "Users"],
          ["/console/audit", "Audit log"],
        ]
      : [["/console/payments", "Payments"]];
  return (
    <ConsoleProviders>
      <div className="min-h-screen">
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <nav aria-label="Console" className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3 text-sm">
            <span className="font-semibold">MixPay broker</span>
            {links.map(([href, label]) => (
              <Link
                key={href}
                href={href!}
                className="rounded px-2 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-zinc-800"
              >
                {label}
              </Link>
            ))}
            <span className="ml-auto text-zinc-500" data-testid="signed-in-as">
              {user.email ?? user.name} ({user.role})
            </span>
            <form action={signOutAction}>
              <button
                type="submit"
                className="rounded border border-zinc-300 px-2 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Sign out
              </button>
            </form>
          </nav>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
      </div>
    </ConsoleProviders>
  );
}
