import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
  it("file, copy and template change things the first time only, and leave mtimes alone after", async () => {
    dir = mkdtempSync(join(tmpdir(), "runbook-idem-"));
    writeFileSync(join(dir, "stale"), "x");
    const files = resolve(import.meta.dirname, "../fixtures/idempotency/files.yml");
    const changedIn = async () => {
      const changed: string[] = [];
      const summary = await runPlaybook(files, {
        extraVars: { dest: dir },
        onEvent: (e: RunEvent) => {
          if (e.kind === "step-end" && e.status === "changed") changed.push(e.step.name);
        },
      });
      expect(summary.status).toBe("ok");
      return changed;
    };
    expect(await changedIn()).toEqual([
      "config directory",
      "rendered config",
      "static file",
      "link to it",
      "old file is gone",
    ]);
    expect(readFileSync(join(dir, "conf/mesh.yaml"), "utf8")).toBe(
      "meshID: mesh1\nnamespaces:\n  - default\n  - bookinfo\n",
    );
    expect(statSync(join(dir, "conf/mesh.yaml")).mode & 0o777).toBe(0o640);
    const mtime = statSync(join(dir, "conf/mesh.yaml")).mtimeMs;
    expect(await changedIn()).toEqual([]);
    expect(statSync(join(dir, "conf/mesh.yaml")).mtimeMs).toBe(mtime);
  });
});
