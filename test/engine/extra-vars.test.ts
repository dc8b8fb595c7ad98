import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExtraVars } from "../../src/cli/extra-vars.js";

describe("-e", () => {
  it("parses values as YAML scalars", () => {
    expect(parseExtraVars(["debug=false", "n=3", "v=1.30.4", "s=hello world", "e="])).toEqual({
      debug: false,
      n: 3,
      v: "1.30.4",
      s: "hello world",
      e: "",
    });
  });
  it("reads @file.yml and JSON", () => {
    const f = join(tmpdir(), `rb-ev-${process.pid}.yml`);
    writeFileSync(f, "a: [1, 2]\nb: {c: true}\n");
    expect(parseExtraVars([`@${f}`, '{"j": false}'])).toEqual({ a: [1, 2], b: { c: true }, j: false });
  });
  it("keeps a scalar whose text does not survive the round trip a string (tag=1.30 is not 1.3)", () => {
    expect(parseExtraVars(["tag=1.30", "m=1.10", "o=010", "x=1e3", "f=1.5", "y=yes"])).toEqual({
      tag: "1.30",
      m: "1.10",
      o: "010",
      x: "1e3",
      f: 1.5,
      y: "yes",
    });
  });
  it("rejects a bare word", () => {
    expect(() => parseExtraVars(["oops"])).toThrow(/expected key=value/);
  });
});
