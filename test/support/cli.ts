import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
/** The project's pinned Node (the machine's may be too old). */
export const NODE = resolve(REPO, "node_modules/.bin/node");
export const CLI = resolve(REPO, "bin/runbook.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI from the repository root, so paths print relative to it. */
export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(NODE, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args: string[], env: Record<string, string> = {}) {
  return spawn(NODE, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** runCli without blocking the test's event loop: needed when the test itself serves what the run fetches. */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
