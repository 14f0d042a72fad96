/**
 * A process-wide clock that can be set to another instant: `Date.now()` and `new Date()` (with no
 * argument) answer the simulated time, which keeps running from wherever it was last set. PGlite
 * reads its clock through the same `Date`, so the database's `now()` follows too (PostgreSQL's does
 * not: on PostgreSQL simulate forward from the real time only, never back).
 *
 * Used to back-date the demo history and to spread the week test over seven days, through the
 * real code (which stamps with `new Date()`), without threading a clock through every function.
 * Only `Date` is replaced; timers keep real time. vitest's fake timers do the same inside tests,
 * but the dev script runs outside vitest.
 */
export interface SimulatedClock {
  now(): Date;
  /** Jump to an instant (never backwards: the books and the emulator expect time to move on). */
  set(at: Date): void;
  advance(ms: number): void;
  /** Put the real `Date` back. */
  restore(): void;
}

export function installSimulatedClock(start: Date): SimulatedClock {
  const RealDate = globalThis.Date;
  let offset = start.getTime() - RealDate.now();
  const simNow = () => RealDate.now() + offset;

  class SimulatedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(simNow());
      else super(...(args as [string | number | Date]));
    }
    static now(): number {
      return simNow();
    }
  }
  globalThis.Date = SimulatedDate as DateConstructor;

  return {
    now: () => new RealDate(simNow()),
    set(at) {
      const target = at.getTime() - RealDate.now();
      if (target > offset) offset = target;
    },
    advance(ms) {
      if (ms > 0) offset += ms;
    },
    restore() {
      globalThis.Date = RealDate;
    },
  };
}
