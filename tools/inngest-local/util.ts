/** Small helpers shared by the runner's modules. */
import type { RunnerLogger } from "./types";

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function defaultBackoff(attempt: number): number {
  // 1 s, 2 s, 4 s … capped at 5 min, with ±20 % jitter so retries of many runs spread out.
  const base = Math.min(1000 * 2 ** (attempt - 1), 300_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function consoleLogger(): RunnerLogger {
  const line = (level: string, obj: Record<string, unknown>, msg: string): string => {
    const fields = Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    return `[inngest-local] ${level} ${msg}${fields ? ` ${fields}` : ""}`;
  };
  return {
    info: (o, m) => console.log(line("info", o, m)),
    warn: (o, m) => console.warn(line("warn", o, m)),
    error: (o, m) => console.error(line("error", o, m)),
  };
}

export function errorMessage(err: unknown): string {
  if (isRecord(err) && typeof err.message === "string") return err.message;
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}

export function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
