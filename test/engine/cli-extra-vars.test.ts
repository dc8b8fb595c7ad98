import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

/** SPEC §3: `-e` values are typed YAML scalars, through the real command line. */
describe("apply -e", () => {
  it("-e flag=false is the boolean false", () => {
    const r = runCli(["apply", "--output", "plain", "test/fixtures/cli-flag.yml", "-e", "flag=false"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +\[1\] flag is the boolean false \(\d+ms\)\n +flag=false/);
    expect(r.stdout).toMatch(/skipped +\[2\] flag is true \(when: flag\)/);
  });
  it('-e flag="false" (quoted) is a string, and a string condition is an error before anything runs', () => {
    const r = runCli(["apply", "test/fixtures/cli-flag.yml", "-e", 'flag="false"']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('condition `flag` gave the string "false", not a boolean');
  });
});
