/**
 * Inngest crons fire once a minute; a poll every `intervalSeconds` is one run a minute that polls
 * `passes` times with `pause` sleeps between. Each pass costs 2 Inngest steps (the work and the
 * sleep; the last pass has no sleep): about 2 × 60 / interval × 43,200 steps a month per loop.
 */
export function loopPlan(intervalSeconds: number): { passes: number; pause: string; stepsPerMonth: number } {
  const interval = Math.max(1, Math.min(60, Math.floor(intervalSeconds)));
  const passes = Math.max(1, Math.floor(60 / interval));
  return { passes, pause: `${interval}s`, stepsPerMonth: (2 * passes - 1) * 60 * 24 * 30 };
}
