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
  it("rejects a bare word", () => {
    expect(() => parseExtraVars(["oops"])).toThrow(/expected key=value/);
  });
});
