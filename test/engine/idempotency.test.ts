import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";

/** SPEC §4: a second run of an unchanged playbook reports no changes. */
const PLAYBOOK = resolve(import.meta.dirname, "../fixtures/idempotency/playbook.yml");
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(dest: string) {
  const changed: string[] = [];
  const summary = await runPlaybook(PLAYBOOK, {
    extraVars: { dest },
    onEvent: (e: RunEvent) => {
      if (e.kind === "step-end" && e.status === "changed") changed.push(e.step.name);
    },
  });
  return { summary, changed };
}

describe("idempotency", () => {
  it("shell with creates/removes changes things the first time only", async () => {
    dir = mkdtempSync(join(tmpdir(), "runbook-idem-"));
    writeFileSync(join(dir, "stale"), "x");
    const first = await run(dir);
    expect(first.summary.status).toBe("ok");
    expect(first.changed).toEqual(["make a directory", "write a file once", "remove a stale file"]);
    expect(readFileSync(join(dir, "conf/mesh.yaml"), "utf8")).toBe("mesh: on\n");
    const second = await run(dir);
    expect(second.summary.status).toBe("ok");
    expect(second.changed).toEqual([]);
    expect(second.summary.stats.changed).toBe(0);
  });
  // For the lead: the file actions land from another branch. Fill these in when copy/template/file are on main.
  it.todo("copy: a second run with the same bytes reports ok, not changed (and leaves mtime alone)");
  it.todo("template: a second run rendering the same text reports ok, not changed");
  it.todo("file: state directory/touch/absent/link report changed only the first time");
});
