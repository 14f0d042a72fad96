/**
 * Starts the ceiling app (bench/next-ceiling: one constant route handler) with `next start`: the
 * fastest a Next.js route handler answers on this machine, whatever the handler does.
 * Next builds a project from its own folder up to the nearest lock file, so the app is copied
 * out of the project into a temporary folder, with the project's node_modules hard-linked
 * (same Next, same React), and built there.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "./lib";

export async function startNextCeiling(port: number): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "next-ceiling-"));
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "inherit"], env: childEnv() });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${dir} (${r.status})`);
  };
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    cpSync(path.join(process.cwd(), "bench", "next-ceiling"), dir, { recursive: true });
    run("cp", ["-al", path.join(process.cwd(), "node_modules"), path.join(dir, "node_modules")]);
    run(process.execPath, ["node_modules/next/dist/bin/next", "build"]);
    child = spawn(
      process.execPath,
      ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
      {
        cwd: dir,
        stdio: ["ignore", "ignore", "inherit"],
        env: childEnv(),
      },
    );
    await waitFor(`http://127.0.0.1:${port}/mixpay/assets/range`);
    return { stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
}
