/** The emulator's fault switches: a matching request fails the way a flaky Mixin would. */

export type FaultMode = "500" | "timeout" | "drop-after-commit" | "insufficient";
export interface Fault {
  /** Matched against "METHOD /path". */
  pattern: string;
  mode: FaultMode;
  /** How many requests it applies to; unlimited when absent. */
  count?: number;
  /** For "timeout": how long to stall before answering normally. */
  delayMs?: number;
  /** Let this many matching requests through before the fault starts. */
  after?: number;
}

export class FaultSwitches {
  list: Fault[] = [];

  add(f: Fault): void {
    this.list.push(f);
  }

  clear(): void {
    this.list = [];
  }

  /** The fault for this request ("METHOD /path"), counting it down; undefined to answer normally. */
  take(key: string): Fault | undefined {
    const f = this.list.find((x) => new RegExp(x.pattern).test(key));
    if (!f) return undefined;
    if (f.after) {
      f.after -= 1;
      return undefined;
    }
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) this.list = this.list.filter((x) => x !== f);
    }
    return f;
  }
}
