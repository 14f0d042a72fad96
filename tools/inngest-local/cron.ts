/**
 * Cron triggers, evaluated locally with croner: standard 5 fields (minute hour day-of-month
 * month day-of-week), names, steps, ranges, `7` for Sunday and the `@hourly`-style macros.
 * In UTC unless the expression starts with `TZ=Area/City ` (or `CRON_TZ=`), as Inngest allows.
 * When both day fields are restricted a day matches if either does (the classic cron rule,
 * which Inngest follows too).
 */
import { Cron as Croner } from "croner";

export interface Cron {
  /** The expression as the app declared it, prefix included (the runner's key for it). */
  source: string;
  timeZone: string;
  schedule: Croner;
}

export function parseCron(expression: string): Cron {
  let pattern = expression.trim();
  let timeZone = "UTC";
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(pattern);
  if (tz) {
    timeZone = tz[1]!;
    pattern = tz[2]!.trim();
    // Rejects unknown zones now, not at the first tick.
    new Intl.DateTimeFormat("en-US", { timeZone });
  }
  // Inngest's crons have 5 fields; croner would also take seconds and years, which Inngest refuses.
  if (!pattern.startsWith("@") && pattern.split(/\s+/).length !== 5)
    throw new Error(`cron "${expression}" must have 5 fields`);
  // paused: the runner fires crons itself (one run per minute, through tick()); croner only reads the schedule.
  let schedule: Croner;
  try {
    schedule = new Croner(pattern, { timezone: timeZone, mode: "5-part", paused: true, domAndDow: false });
  } catch (err) {
    throw new Error(`cron "${expression}": ${err instanceof Error ? err.message : String(err)}`);
  }
  return { source: expression, timeZone, schedule };
}

/** Whether the minute containing `date` is one the cron fires at. */
export function cronMatches(cron: Cron, date: Date): boolean {
  return cron.schedule.match(new Date(Math.floor(date.getTime() / 60_000) * 60_000));
}

/** The next minute strictly after `after` at which the cron fires. */
export function nextCronTime(cron: Cron, after: Date): Date | undefined {
  return cron.schedule.nextRun(after) ?? undefined;
}
