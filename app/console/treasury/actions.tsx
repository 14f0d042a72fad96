"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorNote, ui } from "../format";
import { useTRPC } from "../providers";

/** Ask for a reconciliation pass now (ledger/reconcile.requested through the outbox; audited). */
export function ReconcileNowButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const run = useMutation(
    trpc.treasury.reconcileNow.mutationOptions({
      onSuccess: () => {
        setNote("requested; the page shows the pass when it has run");
        router.refresh();
      },
      onError: (e) => setNote(e.message),
    }),
  );
  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" className={ui.button} disabled={run.isPending} onClick={() => run.mutate()}>
        {run.isPending ? "Requesting…" : "Reconcile now"}
      </button>
      <span role="status" className="text-xs text-zinc-500">
        {note}
      </span>
    </span>
  );
}

/** Explain one suspense item: funding, withdrawal, or a rebalance with a wallet (audited). */
export function LabelForm({
  journalId,
  incoming,
  wallets,
}: {
  journalId: string;
  incoming: boolean;
  wallets: string[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [as, setAs] = useState<"funding" | "withdrawal" | "rebalance">(incoming ? "funding" : "withdrawal");
  const [wallet, setWallet] = useState(wallets[0] ?? "binance");
  const [reason, setReason] = useState("");
  const label = useMutation(trpc.treasury.labelSuspense.mutationOptions({ onSuccess: () => router.refresh() }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    label.mutate({ journalId, as, wallet: as === "rebalance" ? wallet : undefined, reason });
  };
  return (
    <form
      onSubmit={submit}
      className="flex flex-wrap items-center gap-2"
      aria-label={`Label suspense item ${journalId}`}
    >
      <select
        value={as}
        onChange={(e) => setAs(e.target.value as typeof as)}
        className={ui.input}
        aria-label="What it was"
      >
        {incoming ? (
          <option value="funding">operator funding</option>
        ) : (
          <option value="withdrawal">operator withdrawal</option>
        )}
        <option value="rebalance">{incoming ? "moved in from a wallet" : "moved out to a wallet"}</option>
      </select>
      {as === "rebalance" && (
        <input
          value={wallet}
          onChange={(e) => setWallet(e.target.value)}
          className={`${ui.input} w-24`}
          aria-label="Wallet provider"
        />
      )}
      <input
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="why (kept in the audit log)"
        required
        minLength={3}
        className={`${ui.input} w-56`}
        aria-label="Reason"
      />
      <button type="submit" className={ui.button} disabled={label.isPending}>
        {label.isPending ? "Saving…" : "Label"}
      </button>
      <ErrorNote message={label.error?.message} />
    </form>
  );
}
