import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/**
 * Issue 10: a check_mode: false probe whose command holds a run-time value ran with the placeholder
 * text; a probe with until/retries spent its real retries in a cluster-less plan (minutes).
 */
describe("probes in a plan", () => {
  it("do not run with placeholders and spend no retries", () => {
    const log = join(mkdtempSync(join(tmpdir(), "rb-probes-")), "log");
    const r = runCli(["plan", "test/fixtures/plan/probes/playbook.yml"], { RUNBOOK_PROBE_LOG: log });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("decided at run time: the probe's arguments are known at run time (n.stdout)");
    expect(r.stdout).toContain(
      "decided at run time: until q.rc == 0 does not hold yet: the run retries it up to 3 times, every 30s",
    );
    // The until probe ran once (a 30 s delay would have hit runCli's timeout); the other never ran.
    expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("attempt\n");
  });
});
