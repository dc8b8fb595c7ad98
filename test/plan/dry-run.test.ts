import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, runCli } from "../support/cli.js";
import { snapshotTree } from "../support/tmp.js";

const SITE = join(REPO, "test/fixtures/plan/site");

describe("apply --dry-run", () => {
  it("walks the plan with live events, runs only the probes, and changes nothing", () => {
    const before = snapshotTree(SITE);
    const r = runCli([
      "apply",
      "--dry-run",
      "--output",
      "json",
      "test/fixtures/plan/site/playbook.yml",
      "--fact",
      "arch=arm64",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(snapshotTree(SITE)).toEqual(before);
    const ends = r.stdout
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as { kind: string; status?: string; step?: { name: string }; result?: Record<string, unknown> },
      )
      .filter((e) => e.kind === "step-end");
    const byName = new Map(ends.map((e) => [e.step!.name, e]));
    // The check_mode: false probe ran for real and decided the next step now: it is skipped.
    expect(byName.get("Which version is installed?")?.result?.stdout).toBe("1.30.4");
    expect(byName.get("Install when the version differs")?.status).toBe("skipped");
    // Mutating steps report what they would do, flagged as a dry run.
    const mesh = byName.get("Rendered config (changes)");
    expect(mesh?.status).toBe("changed");
    expect(mesh?.result).toMatchObject({ dry_run: true });
    expect(String(mesh?.result?.diff)).toContain("+meshID: default");
    expect(byName.get("Rendered config (unchanged)")?.status).toBe("ok");
  });
});
