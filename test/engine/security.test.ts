import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateValue } from "../../src/engine/expr.js";
import { runCli } from "../support/cli.js";

/** Issue 10: a template chain from a vars file through the prototype to Function must not run. */
describe("templates cannot reach JavaScript", () => {
  it("validate refuses `{{ constructor }}` in a vars file, with its location, and runs nothing", () => {
    const marker = join(mkdtempSync(join(tmpdir(), "rb-proto-")), "PWNED");
    for (const cmd of ["validate", "apply"]) {
      const r = runCli([cmd, "test/fixtures/template-prototype/playbook.yml"], { MARKER: marker });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("test/fixtures/template-prototype/vars.yml:1:");
      expect(r.stderr).toContain("`constructor` cannot be read in a template");
      expect(existsSync(marker)).toBe(false);
    }
  });
});

describe("expressions cannot reach JavaScript", () => {
  for (const expr of ["constructor", "m.constructor", 'm["__proto__"]', "l.constructor", "m.toString"]) {
    it(`CEL refuses ${expr}`, () => {
      expect(() => evaluateValue(expr, { m: { k: 1 }, l: [1] })).toThrow();
    });
  }
  it("has() does not see inherited names", () => {
    expect(evaluateValue("has(m.constructor)", { m: { k: 1 } })).toBe(false);
  });
});

describe("a catastrophic regex is bounded", () => {
  it("`matches` with nested quantifiers answers (V8's linear engine takes over)", () => {
    const r = runCli(["apply", "test/fixtures/cel-redos/playbook.yml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("does not match");
  });
});
