"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorNote, ui } from "./format";
import { useTRPC } from "./providers";

/** Low-balance threshold of one asset (empty = no alert). */
export function ThresholdForm({ assetId, symbol, value }: { assetId: string; symbol: string; value: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [draft, setDraft] = useState(value ?? "");
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.operator.setLowBalanceThreshold.mutationOptions({
      onSuccess: (a) => {
        setDraft(a.lowBalanceThreshold ?? "");
        setSaved(true);
        router.refresh();
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate({ assetId, threshold: draft.trim() === "" ? null : draft.trim() });
  };
  return (
    <form
      onSubmit={submit}
      className="flex flex-wrap items-center gap-2"
      aria-label={`${symbol} low-balance threshold`}
    >
      <label className="sr-only" htmlFor={`threshold-${assetId}`}>
        Low-balance threshold ({symbol})
      </label>
      <input
        id={`threshold-${assetId}`}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        inputMode="decimal"
        placeholder="none"
        className={`${ui.input} w-32`}
      />
      <button type="submit" disabled={save.isPending} className={ui.button}>
        {save.isPending ? "Saving…" : "Save"}
      </button>
      {saved && !save.isPending && (
        <span role="status" className="text-xs text-emerald-700 dark:text-emerald-300">
          saved
        </span>
      )}
      <ErrorNote message={save.error?.message} />
    </form>
  );
}

export function WalletToggle({ name, enabled }: { name: string; enabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const set = useMutation(trpc.operator.setWalletEnabled.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        disabled={set.isPending}
        onClick={() => set.mutate({ name, enabled: !enabled })}
        className={ui.button}
      >
        {set.isPending ? "…" : enabled ? `Disable ${name}` : `Enable ${name}`}
      </button>
      <ErrorNote message={set.error?.message} />
    </span>
  );
}

/** Invite a user; the generated first password is shown once, here, and never again. */
export function InviteForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"merchant" | "operator">("merchant");
  const [payees, setPayees] = useState("");
  const [issued, setIssued] = useState<{ email: string; password: string } | null>(null);
  const invite = useMutation(
    trpc.operator.inviteUser.mutationOptions({
      onSuccess: (r, vars) => {
        setIssued({ email: vars.email, password: r.password });
        setEmail("");
        setPayees("");
        router.refresh();
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setIssued(null);
    const payeeIds = payees
      .split(/[\s,]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    invite.mutate({ email: email.trim(), role, payeeIds: role === "merchant" ? payeeIds : [] });
  };
  return (
    <div className={ui.card}>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Invite a user">
        <label className="flex flex-col">
          Email
          <input
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className={`${ui.input} w-64`}
          />
        </label>
        <label className="flex flex-col">
          Role
          <select
            value={role}
            onChange={(e) => setRole(e.target.value === "operator" ? "operator" : "merchant")}
            className={ui.input}
          >
            <option value="merchant">merchant</option>
            <option value="operator">operator</option>
          </select>
        </label>
        {role === "merchant" && (
          <label className="flex flex-col">
            Payee ids (comma-separated)
            <input value={payees} onChange={(e) => setPayees(e.target.value)} className={`${ui.input} w-96`} />
          </label>
        )}
        <button type="submit" disabled={invite.isPending} className={ui.primary}>
          {invite.isPending ? "Inviting…" : "Invite"}
        </button>
      </form>
      <ErrorNote message={invite.error?.message} />
      {issued && (
        <div
          role="status"
          data-testid="one-time-password"
          className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950"
        >
          One-time password for <strong>{issued.email}</strong>:{" "}
          <code className="select-all font-mono">{issued.password}</code>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            Shown once. Hand it over on a safe channel; it is stored only as a hash.
          </p>
        </div>
      )}
    </div>
  );
}

export function PayeeLinks({ userId, payeeIds }: { userId: string; payeeIds: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [draft, setDraft] = useState("");
  const link = useMutation(
    trpc.operator.setPayeeLink.mutationOptions({ onSuccess: () => (setDraft(""), router.refresh()) }),
  );
  return (
    <div className="space-y-1">
      <ul className="space-y-1">
        {payeeIds.map((p) => (
          <li key={p} className="flex items-center gap-2">
            <code className="font-mono text-xs">{p}</code>
            <button
              type="button"
              disabled={link.isPending}
              onClick={() => link.mutate({ userId, payeeId: p, linked: false })}
              className={`${ui.button} px-2 py-0 text-xs`}
              aria-label={`Unlink payee ${p}`}
            >
              Unlink
            </button>
          </li>
        ))}
      </ul>
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          link.mutate({ userId, payeeId: draft.trim().toLowerCase(), linked: true });
        }}
      >
        <label className="sr-only" htmlFor={`link-${userId}`}>
          Payee id to link
        </label>
        <input
          id={`link-${userId}`}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder="payee id"
          required
          pattern="[0-9a-fA-F\-]{36}"
          className={`${ui.input} w-80 text-xs`}
        />
        <button type="submit" disabled={link.isPending} className={`${ui.button} px-2 py-0 text-xs`}>
          Link
        </button>
      </form>
      <ErrorNote message={link.error?.message} />
    </div>
  );
}

export function DisableToggle({ userId, email, disabled }: { userId: string; email: string; disabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const set = useMutation(trpc.operator.setUserDisabled.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <span className="inline-flex flex-col gap-1">
      <button
        type="button"
        disabled={set.isPending}
        onClick={() => set.mutate({ userId, disabled: !disabled })}
        className={ui.button}
        aria-label={`${disabled ? "Enable" : "Disable"} ${email}`}
      >
        {disabled ? "Enable" : "Disable"}
      </button>
      <ErrorNote message={set.error?.message} />
    </span>
  );
}
