import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/**
 * Issue 10: hostile or broken input is a user error (exit 2, a location, nothing run), never an
 * unbounded load or "runbook has a bug". runCli's own 30 s timeout bounds each case.
 */
describe("input limits", () => {
  const cases: [string, RegExp][] = [
    ["alias-bomb", /alias-bomb\.yml:3:\d+: error\[yaml\]: YAML aliases expand to more than 100000 values/],
    ["big-string", /big-string\.yml:3:\d+: error\[yaml\]: YAML aliases expand/],
    ["deep", /deep\.yml:3:\d+: error\[yaml\]: YAML syntax error: nested too deeply/],
    ["dev-zero", /dev-zero\.yml:2:14: error\[vars-file\]: \/dev\/zero: larger than 16 MiB/],
  ];
  for (const [name, message] of cases) {
    it(`${name}: exit 2 with its location`, () => {
      const r = runCli(["validate", `test/fixtures/yaml-limits/${name}.yml`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain("runbook has a bug");
      // The excerpt of a megabyte line is a window, not the line.
      expect(r.stderr.length).toBeLessThan(2000);
    });
  }

  it("-e with broken JSON/YAML is a usage error pointing into the value", () => {
    const r = runCli(["validate", "test/fixtures/yaml-limits/dev-zero.yml", "-e", "{bad json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("-e:1:10: error[yaml]: YAML syntax error: Flow map must end with a }");
  });

  it("-e @/dev/zero is read bounded", () => {
    const r = runCli(["validate", "test/fixtures/yaml-limits/deep.yml", "-e", "@/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("-e @/dev/zero: larger than 16 MiB");
  });
});
