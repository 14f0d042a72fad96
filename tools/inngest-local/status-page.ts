/** The runner's HTML status page at `/`: functions, last sync and the last 100 runs (refreshes every 3 s). */
import type { RunnerState } from "./state";
import { errorMessage } from "./util";
import { listRuns } from "./views";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function statusPage(state: RunnerState): string {
  const { functions, lastSync, appUrl } = state;
  const rows = listRuns(state)
    .slice(0, 100)
    .map((r) => {
      const steps = r.steps
        .map((s) => `${escapeHtml(s.name)} (${s.status}${s.attempts > 1 ? `, ${s.attempts} attempts` : ""})`)
        .join("<br>");
      const err = r.error === undefined ? (r.reason ?? "") : errorMessage(r.error);
      return `<tr class="${r.status}"><td>${escapeHtml(r.startedAt)}</td><td>${escapeHtml(r.functionId)}</td><td><code>${r.runId}</code></td><td>${r.status}</td><td>${escapeHtml(r.event.name)}</td><td>${steps}</td><td>${escapeHtml(err)}</td></tr>`;
    })
    .join("\n");
  const fns = [...functions.values()]
    .map(
      (f) =>
        `<li><code>${escapeHtml(f.id)}</code> ← ${escapeHtml(f.triggers.map((t) => t.event ?? `cron ${t.cron}`).join(", "))}</li>`,
    )
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>inngest-local</title>
<style>body{font:14px system-ui;margin:1.5em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
.Failed td{background:#fde2e2}.Completed td{background:#e6f6e6}.Sleeping td,.Waiting td{background:#eef}.Cancelled td,.Skipped td{color:#777}</style></head>
<body><h1>inngest-local</h1><p>Local Inngest runner for development and tests. App: <code>${escapeHtml(appUrl.href)}</code>. JSON: <a href="/_runs">/_runs</a>.</p>
<h2>Functions (${functions.size})</h2><p>${lastSync ? `Last sync: ${escapeHtml(lastSync.source)} at ${escapeHtml(lastSync.at)}` : "Not synced yet: is the app running with INNGEST_DEV=1?"}</p><ul>${fns}</ul>
<h2>Recent runs</h2><table><tr><th>started</th><th>function</th><th>run</th><th>status</th><th>event</th><th>steps</th><th>error</th></tr>${rows}</table></body></html>`;
}
