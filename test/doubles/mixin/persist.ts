/**
 * Keep the Mixin emulator's state in a file, so `npm run dev` restarted on the same PGlite store
 * finds Mixin where the store left it: the bot's outputs, its snapshots (the watcher's cursor and
 * the books point into them) and its keys. Without it every restart began a fresh Mixin with the
 * seed balances, and the books disagreed with it (a false difference at the first reconciliation).
 * Written after changes (debounced) and at exit; atomic (temp file + rename). Development only.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EmulatorState } from "./emulator";

export function loadEmulatorState(file: string): EmulatorState | undefined {
  if (!existsSync(file)) return undefined;
  const s = JSON.parse(readFileSync(file, "utf8")) as EmulatorState;
  if (s.version !== 1)
    throw new Error(
      `${file}: unknown emulator state version ${String(s.version)}; delete it to start a fresh emulator`,
    );
  return s;
}

export function forgetEmulatorState(file: string): void {
  rmSync(file, { force: true });
}

export function emulatorStateSaver(file: string, read: () => EmulatorState, debounceMs = 250) {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(read()));
    renameSync(tmp, file);
  };
  return {
    schedule() {
      if (!timer) timer = setTimeout(flush, debounceMs);
    },
    flush,
  };
}
