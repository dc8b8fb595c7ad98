import { describe, expect, it } from "vitest";
import { RunbookError } from "../../src/engine/errors.js";
import { renderString, renderValue } from "../../src/engine/template.js";
import { makeUnknown } from "../../src/engine/unknown.js";

const origin = { file: "/p/site.yml", line: 4, col: 10 };

describe("templates", () => {
  it("keeps the type of a single expression", () => {
    const scope = { names: ["a", "b"], n: 3, m: { k: 1 } };
    expect(renderValue("{{ names }}", scope)).toEqual(["a", "b"]);
    expect(renderValue("{{ n }}", scope)).toBe(3);
    expect(renderValue("{{m.k}}", scope)).toBe(1);
    expect(renderValue("{{ default missing 5 }}", scope)).toBe(5);
    expect(renderValue("n={{ n }}", scope)).toBe("n=3");
  });

  it("does not escape HTML", () => {
    expect(renderString("{{ s }}", { s: "a<b>&'\"" })).toBe("a<b>&'\"");
  });

  it("names an undefined variable, its location and a did-you-mean", () => {
    let err: unknown;
    try {
      renderValue("echo {{ nmaes }}", { names: [] }, origin);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunbookError);
    const e = err as RunbookError;
    expect(e.message).toBe("undefined variable `nmaes`");
    expect(e.hint).toBe("did you mean `names`?");
    expect(e.location).toMatchObject({ file: "/p/site.yml", line: 4 });
  });

  it("names a missing field of a known variable", () => {
    expect(() => renderValue("{{ install.stdot }}", { install: { stdout: "x" } }, origin)).toThrow(
      "`install` has no field `stdot`",
    );
  });

  it("has the helper set of SPEC §6", () => {
    const s = { l: ["a", "b"], t: "  Hi ", y: { a: [1, 2] }, p: "/x/y/z.txt" };
    expect(
      renderString('{{ join l "-" }}|{{ upper "x" }}|{{ lower "X" }}|{{ trim t }}|{{ replace "a.b.c" "." "/" }}', s),
    ).toBe("a-b|X|x|Hi|a/b/c");
    expect(
      renderString('{{ quote t }}|{{ b64enc "hi" }}|{{ b64dec "aGk=" }}|{{ basename p }}|{{ dirname p }}', s),
    ).toBe('"  Hi "|aGk=|hi|z.txt|/x/y');
    expect(renderString("{{ toJson y }}", s)).toBe('{"a":[1,2]}');
    expect(renderString("a:{{ nindent 2 (toYaml y) }}", s)).toBe("a:\n  a:\n    - 1\n    - 2");
    expect(renderValue('{{ split "a,b" "," }}', s)).toEqual(["a", "b"]);
    expect(renderValue("{{ and (eq 1 1) (ne 1 2) (lt 1 2) (gt 2 1) (not false) }}", s)).toBe(true);
    expect(renderValue("{{ or false false }}", s)).toBe(false);
  });

  it("renders run-time values as a visible marker, never as an empty string", () => {
    const scope = { install: makeUnknown({ path: "install" }) };
    expect(renderString("got {{ install.stdout }}", scope)).toBe("got <known at run time: install.stdout>");
  });
});

describe("templates read own data only", () => {
  const cases = [
    "{{ constructor }}",
    "a {{ constructor.constructor }} b",
    '{{ lookup this "constructor" }}',
    "{{#with m}}{{ __proto__ }}{{/with}}",
    "{{ m.prototype }}",
    "{{ default constructor 1 }}",
  ];
  for (const source of cases) {
    it(`refuses ${source}`, () => {
      let err: unknown;
      try {
        renderValue(source, { m: { k: 1 } }, origin);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RunbookError);
      expect((err as RunbookError).message).toMatch(/cannot be read in a template/);
      expect((err as RunbookError).location).toMatchObject({ file: "/p/site.yml", line: 4 });
    });
  }
  it("does not see inherited names", () => {
    expect(() => renderString("{{ toString }}", {})).toThrow("undefined variable `toString`");
    expect(() => renderString("{{#if true}}{{ toString }}{{/if}}", {})).toThrow("undefined variable `toString`");
    expect(() => renderString("{{#if true}}{{ m.hasOwnProperty }}{{/if}}", { m: {} })).toThrow(/hasOwnProperty/);
  });
  it("renders objects and lists as JSON in a string context", () => {
    expect(renderString("ns {{ item }}", { item: { a: 1 } })).toBe('ns {"a":1}');
    expect(renderString("{{#if true}}{{ item }}{{/if}}", { item: { a: [1, "x"] } })).toBe('{"a":[1,"x"]}');
    expect(renderString("l={{ l }}", { l: ["a", "b"] })).toBe('l=["a","b"]');
    expect(renderValue("{{ default m 1 }}", { m: { k: 1 } })).toEqual({ k: 1 });
    expect(renderString('{{ join l "-" }} {{ toYaml m }}', { l: ["a", "b"], m: { k: 1 } })).toBe("a-b k: 1");
  });
});
