import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A Node of this exact version from the `node` npm package, installed once into the OS temp dir. */
export function nodeOf(version: string): string {
  const prefix = join(tmpdir(), "runbook-test-nodes", version);
  const bin = join(prefix, "node_modules", ".bin", "node");
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync("npm", ["install", "--no-save", "--no-package-lock", "--prefix", prefix, `node@${version}`], {
      stdio: "ignore",
    });
  }
  return bin;
}

/** The npm on PATH as a script, to run it under a Node of our choosing (`node npm-cli.js …`). */
export function npmCli(): string {
  return realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
}
