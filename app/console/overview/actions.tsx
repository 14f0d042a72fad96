"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../providers";

/** Retry settlement of one or many orders (emits order/settle.requested through the outbox). */
export function RetryButton({ orderIds, label = "Retry" }: { orderIds: string[]; label?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const retry = useMutation(
    trpc.operator.retrySettlements.mutationOptions({
      onSuccess: (r) => {
        setNote(`queued ${r.queued.length}${r.skipped.length ? `, skipped ${r.skipped.length}` : ""}`);
        router.refresh();
      },
      onError: (e) => setNote(e.message),
    }),
  );
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        disabled={retry.isPending || orderIds.length === 0}
        onClick={() => retry.mutate({ orderIds })}
        className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        {retry.isPending ? "Retrying…" : label}
      </button>
      <span role="status" className="text-xs text-zinc-500">
        {note}
      </span>
    </span>
  );
}

export function AcknowledgeButton({ alertId }: { alertId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const ack = useMutation(trpc.operator.acknowledgeAlert.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <button
      type="button"
      disabled={ack.isPending}
      onClick={() => ack.mutate({ id: alertId })}
      className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
    >
      {ack.isPending ? "…" : "Acknowledge"}
    </button>
  );
}
