import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { sshdMissing, startFleet, type TestFleet } from "../support/sshd/index.js";

const missing = sshdMissing();

describe.skipIf(missing !== undefined)(`runbook -i over real sshd hosts${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let f: TestFleet;
  beforeAll(async () => {
    f = await startFleet(["pi1", "pi2", "pi3"], { dead: "gone" });
  });
  afterAll(async () => {
    await f?.stop();
  });

  function playbook(name: string, text: string): string {
    const p = join(f.dir, name);
    writeFileSync(p, text);
    return p;
  }

  it("runs every step on every host, each with its own vars, and prefixes lines with the host", () => {
    const pb = playbook(
      "site.yml",
      `- hosts: all:!gone
  tasks:
    - name: mark
      shell: echo "{{ inventory_hostname }} {{ facts.arch }}" > {{ root }}/mark
`,
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const h of ["pi1", "pi2", "pi3"]) {
      expect(readFileSync(join(f.roots.get(h)!, "mark"), "utf8")).toMatch(new RegExp(`^${h} (amd64|arm64)\\n$`));
      expect(r.stdout).toMatch(new RegExp(`^${h} \\| changed +\\[1\\] mark`, "m"));
      expect(r.stdout).toMatch(new RegExp(`^${h} \\| recap +done ok=0 changed=1`, "m"));
    }
    expect(r.stdout).toMatch(/^hosts +3 ok=3 failed=0 unreachable=0/m);
  });
});
