import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPlaybook } from "../../src/api.js";
import type { RunEvent } from "../../src/engine/events.js";
import { type FsAdapter, localFs } from "../../src/engine/io/fs.js";

/** Issue 12: an interrupt that lands during a template write is reported as what happened to the file. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "runbook-intr-write-"));
  writeFileSync(join(dir, "conf.hbs"), "new {{ x }}\n");
  writeFileSync(join(dir, "conf"), "old\n");
  writeFileSync(
    join(dir, "playbook.yml"),
    [
      "vars: { x: 1 }",
      "tasks:",
      "  - name: write conf",
      `    template: { src: conf.hbs, dest: ${join(dir, "conf")} }`,
      "  - name: after",
      "    print: never reached",
      "",
    ].join("\n"),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The real file system, except that Ctrl-C arrives while the atomic write is under way; `fail` makes the write fail too. */
function interruptingFs(ac: AbortController, fail: boolean): FsAdapter {
  return {
    ...localFs,
    async writeFileAtomic(path, data, mode) {
      ac.abort();
      if (fail) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: "ENOSPC" });
      await localFs.writeFileAtomic(path, data, mode);
    },
  };
}

async function run(fail: boolean) {
  const ac = new AbortController();
  const events: RunEvent[] = [];
  const summary = await runPlaybook(join(dir, "playbook.yml"), {
    signal: ac.signal,
    fs: interruptingFs(ac, fail),
    onEvent: (e) => events.push(e),
  });
  return { summary, events };
}

describe("interrupted template write", () => {
  it("a write that completed is reported as changed, and the run stops after it", async () => {
    const { summary, events } = await run(false);
    expect(readFileSync(join(dir, "conf"), "utf8")).toBe("new 1\n");
    const ends = events.filter((e) => e.kind === "step-end");
    expect(ends.map((e) => [e.step.name, e.status])).toEqual([["write conf", "changed"]]);
    expect(summary.status).toBe("interrupted");
    expect(summary.stoppedAt?.name).toBe("write conf");
    expect(summary.stoppedAfter).toBe(true);
    const end = events.find((e) => e.kind === "run-end");
    expect(end).toMatchObject({ status: "interrupted", stoppedAfter: true });
    expect(events.some((e) => e.kind === "step-start" && e.step.name === "after")).toBe(false);
  });

  it("a write that did not happen leaves the file as it was and is reported as stopped during the step", async () => {
    const { summary, events } = await run(true);
    expect(readFileSync(join(dir, "conf"), "utf8")).toBe("old\n");
    expect(events.filter((e) => e.kind === "step-end")).toEqual([]);
    expect(summary.status).toBe("interrupted");
    expect(summary.stoppedAt?.name).toBe("write conf");
    expect(summary.stoppedAfter).toBeUndefined();
  });
});
