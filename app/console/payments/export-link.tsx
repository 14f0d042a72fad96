"use client";

import { useState, type MouseEvent } from "react";

/**
 * "Export CSV": a plain link (works without JavaScript) that, with JavaScript, downloads the
 * streamed export while counting rows, so a large export shows its progress.
 */
export function ExportLink({ href }: { href: string }) {
  const [progress, setProgress] = useState<string>("");
  const [busy, setBusy] = useState(false);
  async function download(e: MouseEvent<HTMLAnchorElement>) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setProgress("Starting export…");
    try {
      const res = await fetch(href);
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.getReader();
      const parts: BlobPart[] = [];
      let lines = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        for (const byte of value) if (byte === 10) lines++;
        setProgress(`Exporting… ${Math.max(0, lines - 1).toLocaleString()} rows`);
      }
      const url = URL.createObjectURL(new Blob(parts, { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "payments.csv";
      a.click();
      URL.revokeObjectURL(url);
      setProgress(`Exported ${Math.max(0, lines - 1).toLocaleString()} rows.`);
    } catch (err) {
      setProgress(`Export failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <a
        href={href}
        onClick={download}
        aria-busy={busy}
        className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
        data-testid="export-csv"
      >
        Export CSV
      </a>
      <span role="status" aria-live="polite" className="text-xs text-zinc-500" data-testid="export-progress">
        {progress}
      </span>
    </span>
  );
}
