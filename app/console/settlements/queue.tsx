"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Amount, Empty, ErrorNote, Hidden, Status, Table, Time, ui } from "../format";
import { useTRPC } from "../providers";

const FINAL = new Set(["settled", "settlement_failed", "mixpay_refunded", "refunding", "refunded", "refund_failed"]);

/**
 * Failed and stuck settlements with Retry (single and bulk). A retry queues order/settle.requested;
 * the orders it covered are then polled until each reaches an outcome (settled, or failed again).
 */
export function SettlementQueue() {
  const trpc = useTRPC();
  const queue = useQuery({ ...trpc.operator.settlementQueue.queryOptions(), refetchInterval: 5_000 });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [tracked, setTracked] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const progress = useQuery({
    ...trpc.operator.orderStatuses.queryOptions({
      orderIds: tracked.length ? tracked : ["00000000-0000-0000-0000-000000000000"],
    }),
    enabled: tracked.length > 0,
    refetchInterval: (q) =>
      q.state.data?.every((o) => FINAL.has(o.status) && o.status !== "settlement_failed") ? false : 1_000,
  });
  const retry = useMutation(
    trpc.operator.retrySettlements.mutationOptions({
      onSuccess: (r) => {
        setNote(
          `Queued ${r.queued.length} for retry${r.skipped.length ? `, skipped ${r.skipped.length} no longer waiting` : ""}.`,
        );
        setTracked((t) => [...new Set([...r.queued, ...t])].slice(0, 500));
        setSelected(new Set());
        void queue.refetch();
      },
    }),
  );
  const rows = queue.data ?? [];
  const toggle = (id: string) =>
    setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Settlement queue</h1>
        <button
          type="button"
          className={ui.primary}
          disabled={selected.size === 0 || retry.isPending}
          onClick={() => retry.mutate({ orderIds: [...selected] })}
        >
          {retry.isPending ? "Retrying…" : `Retry selected (${selected.size})`}
        </button>
        <span role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          {note}
        </span>
        <ErrorNote message={retry.error?.message} />
      </div>
      <p className="text-sm text-zinc-500">
        Failed settlements, and paid orders whose settlement has run for more than 15 minutes. A retry transfers with
        the same trace_id, so it never pays twice.
      </p>

      {queue.isPending ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading the queue…
        </p>
      ) : queue.isError ? (
        <ErrorNote message={`The queue could not be loaded: ${queue.error.message}`} />
      ) : rows.length === 0 ? (
        <Empty>Nothing waiting: every paid order is settled or settling on time.</Empty>
      ) : (
        <Table
          columns={[
            <label key="select" className="inline-flex items-center gap-1">
              <input
                type="checkbox"
                checked={allSelected}
                onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
              />{" "}
              <span className="sr-only">Select all</span>
            </label>,
            "Trace id",
            "Status",
            "Amount",
            "Reason",
            "Since",
            <Hidden key="actions">Actions</Hidden>,
          ]}
          testId="settlement-queue"
        >
          {rows.map((q) => (
            <tr key={q.id} className={ui.tr} data-testid={`queue-${q.traceId}`}>
              <td className={ui.td}>
                <input
                  type="checkbox"
                  aria-label={`Select ${q.traceId}`}
                  checked={selected.has(q.id)}
                  onChange={() => toggle(q.id)}
                />
              </td>
              <td className={`${ui.td} font-mono text-xs`}>
                <Link className="underline" href={`/console/orders/${q.id}`}>
                  {q.traceId}
                </Link>
              </td>
              <td className={ui.td}>
                <Status value={q.status} />
              </td>
              <td className={ui.td}>
                <Amount value={q.amount} symbol={q.symbol} />
              </td>
              <td className={`${ui.td} max-w-xs text-zinc-500`}>{q.statusReason}</td>
              <td className={ui.td}>
                <Time at={q.updatedAt} />
              </td>
              <td className={ui.td}>
                <button
                  type="button"
                  className={ui.button}
                  disabled={retry.isPending}
                  onClick={() => retry.mutate({ orderIds: [q.id] })}
                  aria-label={`Retry ${q.traceId}`}
                >
                  Retry
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}

      {tracked.length > 0 && (
        <section aria-labelledby="retries-h">
          <h2 id="retries-h" className="font-semibold">
            Retries in this session
          </h2>
          <ul className="mt-2 space-y-1 text-sm" data-testid="retry-progress">
            {tracked.map((id) => {
              const o = progress.data?.find((p) => p.id === id);
              const outcome = !o
                ? "waiting…"
                : o.status === "settled"
                  ? "settled ✓"
                  : o.status === "settlement_failed"
                    ? "failed again ✗"
                    : FINAL.has(o.status)
                      ? o.status
                      : `${o.status}…`;
              return (
                <li key={id} className="flex flex-wrap items-center gap-3" data-testid={`retry-${o?.traceId ?? id}`}>
                  <code className="font-mono text-xs">{o?.traceId ?? id}</code>
                  {o && <Status value={o.status} />}
                  <span
                    className={
                      o?.status === "settled"
                        ? "text-emerald-700 dark:text-emerald-300"
                        : o?.status === "settlement_failed"
                          ? "text-red-700 dark:text-red-300"
                          : "text-zinc-500"
                    }
                  >
                    {outcome}
                  </span>
                  {o?.statusReason && o.status !== "settled" && (
                    <span className="text-xs text-zinc-500">{o.statusReason}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </div>
  );
}
