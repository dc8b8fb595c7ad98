import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, REPO } from "../support/cli.js";

/** A Node of this exact version from the `node` npm package, installed once into the OS temp dir. */
function nodeOf(version: string): string {
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

// 22.15 is the minimum measured by running the suite (undici's zstd decoder needs it); 22.14 is one below.
describe.each(["20.20.2", "22.14.0"])("bin/runbook.js under Node %s", (version) => {
  it("prints one line naming the minimum and this Node, and exits 2", { timeout: 180_000 }, () => {
    const node = nodeOf(version);
    const r = spawnSync(node, [CLI, "plan", "playbooks/dev.yml"], { cwd: REPO, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `runbook needs Node >= 22.15 (this is Node ${version}); install Node 22.15+ or use the single-file runbook for linux-arm64/x64\n`,
    );
  });
});

describe("bin/runbook.js under the minimum, Node 22.15.0", () => {
  it("runs", { timeout: 180_000 }, () => {
    const r = spawnSync(nodeOf("22.15.0"), [CLI, "--version"], { cwd: REPO, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
