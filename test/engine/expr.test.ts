import { describe, expect, it } from "vitest";
import { evaluateCondition } from "../../src/engine/expr.js";
import { createFacts } from "../../src/engine/facts.js";
import { makeUnknown } from "../../src/engine/unknown.js";

const at = { file: "/p/x.yml", line: 3, col: 11 };

describe("CEL conditions", () => {
  it("compares whole numbers from results as ints and reads facts lazily", () => {
    const facts = createFacts(undefined, { arch: "arm64" });
    expect(evaluateCondition('install.rc == 0 && facts.arch == "arm64"', { install: { rc: 0 }, facts }, at)).toEqual({
      known: true,
      value: true,
    });
    expect(evaluateCondition("n + 1 > 2", { n: 2 }, at)).toEqual({ known: true, value: true });
  });

  it("takes YAML booleans as they are", () => {
    expect(evaluateCondition(false, {}, at)).toEqual({ known: true, value: false });
  });

  it("tests definition with `in vars`", () => {
    expect(evaluateCondition('"x" in vars', { vars: { x: 1 } }, at)).toEqual({ known: true, value: true });
    expect(evaluateCondition('"y" in vars', { vars: { x: 1 } }, at)).toEqual({ known: true, value: false });
  });

  it('refuses a string result: the string "false" is not true', () => {
    expect(() => evaluateCondition("flag", { flag: "false" }, at)).toThrow('gave the string "false", not a boolean');
  });

  it("refuses {{ }} with a hint", () => {
    expect(() => evaluateCondition("{{ x }} == 1", { x: 1 }, at)).toThrow(/not templates/);
  });

  it("reports an undefined variable with a did-you-mean", () => {
    try {
      evaluateCondition("instal.rc == 0", { install: {} }, at);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe("undefined variable `instal` in expression");
      expect((e as { hint?: string }).hint).toBe("did you mean `install`?");
    }
  });

  it("is decided at run time when it reads a run-time value", () => {
    const c = evaluateCondition("out.rc == 0", { out: makeUnknown({ path: "out", from: "probe" }) }, at);
    expect(c).toEqual({ known: false, waitsFor: { path: "out", from: "probe" } });
  });
});
