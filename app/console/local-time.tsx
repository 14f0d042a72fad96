"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};
const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A time in the viewer's zone, UTC on hover. The server renders UTC (it does not know the
 * viewer's zone); once hydrated the text switches to the browser's zone.
 */
export function LocalTime({ iso }: { iso: string }) {
  const zone = useSyncExternalStore(subscribe, viewerZone, () => null);
  const utc = `${iso.replace("T", " ").slice(0, 19)} UTC`;
  return (
    <time dateTime={iso} title={`${iso.replace("T", " ").slice(0, 23)} UTC`} className="tabular-nums whitespace-nowrap">
      {zone ? local(new Date(iso), zone) : utc}
    </time>
  );
}

function local(d: Date, zone: string): string {
  const text = d.toLocaleString(undefined, {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const name = new Intl.DateTimeFormat(undefined, { timeZone: zone, timeZoneName: "short" })
    .formatToParts(d)
    .find((p) => p.type === "timeZoneName")?.value;
  return `${text} ${name ?? zone}`;
}
