/**
 * Standard 5-field cron (minute hour day-of-month month day-of-week), evaluated locally,
 * in UTC unless the expression starts with `TZ=Area/City ` as Inngest allows.
 * Supports `*`, lists, ranges, steps, month/day names, `7` for Sunday and the
 * `@hourly`-style macros. When both day fields are restricted a day matches if
 * either does (the classic cron rule).
 */

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  values: Set<number>;
  any: boolean;
}

export interface Cron {
  source: string;
  timeZone: string;
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

function parseValue(raw: string, names: string[] | undefined, offset: number): number {
  const upper = raw.toUpperCase();
  if (names) {
    const idx = names.indexOf(upper);
    if (idx >= 0) return idx + offset;
  }
  if (!/^\d+$/.test(raw)) throw new Error(`invalid cron value "${raw}"`);
  return Number(raw);
}

function parseField(raw: string, min: number, max: number, names?: string[], nameOffset = 0): Field {
  const values = new Set<number>();
  for (const part of raw.split(",")) {
    const [rangePart, stepPart] = part.split("/");
    if (rangePart === undefined || rangePart === "") throw new Error(`invalid cron field "${raw}"`);
    const step = stepPart === undefined ? 1 : Number(stepPart);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid cron step in "${raw}"`);
    let lo: number;
    let hi: number;
    if (rangePart === "*") {
      lo = min;
      hi = max;
    } else if (rangePart.includes("-")) {
      const [a, b] = rangePart.split("-");
      lo = parseValue(a ?? "", names, nameOffset);
      hi = parseValue(b ?? "", names, nameOffset);
    } else {
      lo = parseValue(rangePart, names, nameOffset);
      hi = stepPart === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`cron field "${raw}" out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, any: raw === "*" };
}

export function parseCron(expression: string): Cron {
  let src = expression.trim();
  let timeZone = "UTC";
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(src);
  if (tz) {
    timeZone = tz[1]!;
    src = tz[2]!.trim();
    // Rejects unknown zones now, not at the first tick.
    new Intl.DateTimeFormat("en-US", { timeZone });
  }
  src = MACROS[src.toLowerCase()] ?? src;
  const parts = src.split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${expression}" must have 5 fields`);
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const dowField = parseField(dow, 0, 7, DAYS, 0);
  if (dowField.values.has(7)) {
    dowField.values.delete(7);
    dowField.values.add(0);
  }
  return {
    source: expression,
    timeZone,
    minute: parseField(mi, 0, 59),
    hour: parseField(h, 0, 23),
    dom: parseField(dom, 1, 31),
    month: parseField(mon, 1, 12, MONTHS, 1),
    dow: dowField,
  };
}

interface Parts {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(date: Date, timeZone: string): Parts {
  if (timeZone === "UTC") {
    return {
      minute: date.getUTCMinutes(),
      hour: date.getUTCHours(),
      day: date.getUTCDate(),
      month: date.getUTCMonth() + 1,
      weekday: date.getUTCDay(),
    };
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      minute: "numeric",
      hour: "numeric",
      day: "numeric",
      month: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  const map = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    minute: Number(map.minute),
    hour: Number(map.hour),
    day: Number(map.day),
    month: Number(map.month),
    weekday: DAYS.indexOf(String(map.weekday).toUpperCase().slice(0, 3)),
  };
}

/** Whether the minute containing `date` is one the cron fires at. */
export function cronMatches(cron: Cron, date: Date): boolean {
  const p = partsIn(date, cron.timeZone);
  if (!cron.minute.values.has(p.minute) || !cron.hour.values.has(p.hour) || !cron.month.values.has(p.month)) {
    return false;
  }
  const domOk = cron.dom.values.has(p.day);
  const dowOk = cron.dow.values.has(p.weekday);
  if (!cron.dom.any && !cron.dow.any) return domOk || dowOk;
  return domOk && dowOk;
}

/** The next minute strictly after `after` at which the cron fires (searches up to ~4 years). */
export function nextCronTime(cron: Cron, after: Date): Date | undefined {
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const limit = t + 4 * 366 * 24 * 60 * 60_000;
  while (t < limit) {
    if (cronMatches(cron, new Date(t))) return new Date(t);
    t += 60_000;
  }
  return undefined;
}
