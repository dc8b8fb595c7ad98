import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/**
 * The bad-input corpus: each test/fixtures/invalid/<name>.yml is broken in one way; <name>.expected
 * holds the CLI's exact stderr. Every file's first step would `touch $RUNBOOK_MARKER`, so a check
 * that lets anything run is caught. `UPDATE_GOLDEN=1` rewrites the .expected files.
 * Needs `npm run build` first (npm test does it).
 */
const DIR = resolve(import.meta.dirname, "../fixtures/invalid");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".yml"))
  .map((f) => f.slice(0, -4))
  .sort();

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "runbook-invalid-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("invalid playbooks: exit 2, a precise message, nothing runs", () => {
  it("has at least 20 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
  it.each(cases)("%s", (name) => {
    const marker = join(tmp, `${name}.ran`);
    const r = runCli(["apply", `test/fixtures/invalid/${name}.yml`], { RUNBOOK_MARKER: marker });
    const golden = join(DIR, `${name}.expected`);
    if (UPDATE) writeFileSync(golden, r.stderr);
    expect(r.stderr).toBe(readFileSync(golden, "utf8"));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });
});
