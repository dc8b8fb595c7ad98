import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/** Issue 10: a tag no step has is an error before anything runs; --list-tags and --list-tasks. */
describe("tags", () => {
  const dir = mkdtempSync(join(tmpdir(), "rb-tags-"));
  const marker = join(dir, "ran");
  const pb = join(dir, "site.yml");
  writeFileSync(
    pb,
    `tasks:
  - name: touch
    shell: "touch ${marker}"
    tags: [setup]
  - name: a block
    tags: [verify]
    block:
      - name: inner check
        shell: "true"
    rescue:
      - name: rollback step
        shell: "true"
        tags: [rollback]
  - name: untagged step
    shell: "true"
`,
  );

  for (const [cmd, flag] of [
    ["apply", "--tags"],
    ["plan", "--tags"],
    ["apply", "--skip-tags"],
  ]) {
    it(`${cmd} ${flag} with a typo exits 2 with the known tags and runs nothing`, () => {
      const r = runCli([cmd!, pb, flag!, "setpu"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error[usage]: ${flag} setpu: no step has the tag \`setpu\``);
      expect(r.stderr).toContain("did you mean `setup`? tags in this playbook: rollback, setup, verify");
      expect(existsSync(marker)).toBe(false);
    });
  }

  it("accepts Ansible's special names", () => {
    const r = runCli(["plan", pb, "--tags", "tagged,untagged", "--skip-tags", "never"]);
    expect(r.code).toBe(0);
  });

  it("--list-tags prints every tag, including rescue's, and runs nothing", () => {
    const r = runCli(["apply", pb, "--list-tags"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("rollback\nsetup\nverify\n");
    expect(existsSync(marker)).toBe(false);
  });

  it("--list-tasks prints what the filter selects, nested, with tags and locations", () => {
    const r = runCli(["plan", pb, "--list-tasks", "--skip-tags", "setup"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.replace(/ {2}\(.*\)$/, ""))).toEqual([
      "a block  [verify]",
      "  inner check  [verify]",
      "  rollback step  [verify, rollback]",
      "untagged step",
    ]);
    expect(lines[0]).toMatch(/site\.yml:5:5\)$/);
  });
});
