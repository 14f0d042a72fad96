"use client";

import { useEffect, useState } from "react";

function format(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Time left until the order's expired_at, ticking every second. */
export function Countdown({ expiresAt }: { expiresAt: string }) {
  const end = new Date(expiresAt).getTime();
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    // First tick right after mount (the server cannot know the viewer's clock), then every second.
    const first = setTimeout(tick, 0);
    const t = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, []);
  if (now === null) return <span data-testid="countdown">…</span>;
  const left = end - now;
  return (
    <span
      data-testid="countdown"
      className={left <= 0 ? "text-red-600 dark:text-red-400" : undefined}
      title={new Date(expiresAt).toISOString()}
    >
      {left <= 0 ? "expired — paying now will be refunded" : format(left)}
    </span>
  );
}
