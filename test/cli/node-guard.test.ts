import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI, REPO } from "../support/cli.js";
import { nodeOf } from "../support/node-version.js";

// 22.19 is the promised minimum (undici's engines; the suite itself passes from 22.15); 22.18 is one below.
describe.each(["20.20.2", "22.18.0"])("bin/runbook.js under Node %s", (version) => {
  it("prints one line naming the minimum and this Node, and exits 2", { timeout: 180_000 }, () => {
    const node = nodeOf(version);
    const r = spawnSync(node, [CLI, "plan", "playbooks/dev.yml"], { cwd: REPO, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `runbook needs Node >= 22.19 (this is Node ${version}); install Node 22.19+ or use the single-file runbook for linux-arm64/x64\n`,
    );
  });
});

describe("bin/runbook.js under the minimum, Node 22.19.0", () => {
  it("runs a plan", { timeout: 180_000 }, () => {
    const r = spawnSync(nodeOf("22.19.0"), [CLI, "plan", "playbooks/dev.yml"], { cwd: REPO, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Plan: Istio for a dev cluster/);
  });
});
