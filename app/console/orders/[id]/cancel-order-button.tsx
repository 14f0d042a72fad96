"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorNote, ui } from "../../format";
import { useTRPC } from "../../providers";

const OUTCOME: Record<string, string> = {
  closed: "Cancelled; the payment is closed at the wallet.",
  payment_in_progress: "Cancelled, but the end user is paying right now: the payment will be refunded (paid late).",
  failed: "Cancelled, but the wallet could not close the payment (alert raised). Try the close again.",
  no_wallet_payment: "Cancelled; the wallet had no payment to close.",
};

/**
 * Operator only: cancel an open order (releases its reservation, closes it at the wallet), or retry
 * a wallet close that failed. The server decides what is allowed; this only asks for confirmation.
 */
export function CancelOrderButton({ orderId, retryClose }: { orderId: string; retryClose: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const cancel = useMutation(
    trpc.operator.cancelOrder.mutationOptions({
      onSuccess: (r) => {
        setNote(OUTCOME[r.walletClose] ?? "");
        router.refresh();
      },
    }),
  );
  const label = retryClose ? "Retry wallet close" : "Cancel order";
  const confirmText = retryClose
    ? "Ask the wallet again to close this cancelled order's payment?"
    : "Cancel this open order? Its reservation is released and the payment is closed at the wallet; MixPay is not told (the order simply never gets paid).";
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <button
        type="button"
        className={ui.button}
        disabled={cancel.isPending}
        onClick={() => {
          if (window.confirm(confirmText)) cancel.mutate({ orderId });
        }}
      >
        {cancel.isPending ? "Cancelling…" : label}
      </button>
      <span role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
        {note}
      </span>
      <ErrorNote message={cancel.error?.message} />
    </div>
  );
}
