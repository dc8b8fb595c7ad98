import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, NODE } from "../support/cli.js";
import { type Case, loadCases, type Outcome, prepare, runRunbook } from "./harness.mjs";
import { table } from "./table.mjs";

// Each case's runbook twin against what Ansible did (ansible.golden.json, recorded by record.mjs), or for a
// documented difference against runbook.golden.json (UPDATE_GOLDEN=1 rewrites those). Known bugs are listed
// as skipped; CONFORMANCE_BUGS=1 runs them too, to see which are fixed.
const cases = loadCases();
const runBugs = process.env.CONFORMANCE_BUGS === "1";

function expected(c: Case, actual: Outcome): Outcome {
  const file = join(c.dir, c.difference ? "runbook.golden.json" : "ansible.golden.json");
  if (c.difference && process.env.UPDATE_GOLDEN === "1") writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  return JSON.parse(readFileSync(file, "utf8")) as Outcome;
}

function runCase(c: Case) {
  const tmp = prepare(c);
  try {
    const { outcome, text } = runRunbook(c, tmp, NODE, CLI);
    expect(outcome, `runbook's output:\n${text}`).toEqual(expected(c, outcome));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe("conformance with ansible-core 2.14", () => {
  it("has at least 40 paired cases, each with its Ansible golden", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) {
      for (const f of ["ansible.yml", "runbook.yml", "ansible.golden.json"])
        expect(existsSync(join(c.dir, f)), `${c.id}/${f}`).toBe(true);
    }
  });

  it("README lists every case with its status (node test/conformance/table.mjs)", () => {
    expect(readFileSync(join(import.meta.dirname, "README.md"), "utf8")).toContain(table());
  });

  for (const c of cases) {
    if (c.known_bug && !runBugs) it.skip(`${c.id}: known bug: ${c.known_bug}`, () => runCase(c));
    else it(`${c.id}: ${c.difference ? "documented difference" : "same as Ansible"}: ${c.title}`, () => runCase(c));
  }
});
