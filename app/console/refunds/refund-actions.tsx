"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorNote, ui } from "../format";
import { useTRPC } from "../providers";

/** Retry a refund_failed refund: a new request id only when the wallet confirmed the last one failed. */
export function RetryRefundButton({ orderId, newId }: { orderId: string; newId: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const retry = useMutation(trpc.operator.retryRefund.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <span className="inline-flex flex-col gap-1">
      <button
        type="button"
        disabled={retry.isPending}
        onClick={() => retry.mutate({ orderId })}
        className={ui.button}
        title={
          newId
            ? "The wallet confirmed the failure: a new request id is used"
            : "Sent again with the same request id (the wallet deduplicates it)"
        }
      >
        {retry.isPending ? "…" : newId ? "Retry (new request id)" : "Retry"}
      </button>
      {retry.data && <span className="text-xs text-zinc-500">queued as {retry.data.requestId}</span>}
      <ErrorNote message={retry.error?.message} />
    </span>
  );
}

/** MixPay reported the payment failed and never refunded: refund the end user now (needs a note; audited). */
export function RefundWithoutMixPayForm({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const act = useMutation(
    trpc.operator.refundWithoutMixPayRefund.mutationOptions({ onSuccess: () => router.refresh() }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    act.mutate({ orderId, note });
  };
  return (
    <form
      onSubmit={submit}
      className="flex flex-wrap items-center gap-2"
      aria-label={`Refund end user of order ${orderId}`}
    >
      <input
        className={ui.input}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        placeholder="why (e.g. MixPay ticket #)"
        minLength={3}
        maxLength={500}
        required
      />
      <button type="submit" disabled={act.isPending} className={ui.button}>
        {act.isPending ? "…" : "Refund end user"}
      </button>
      <ErrorNote message={act.error?.message} />
    </form>
  );
}
