import { describe, expect, it } from "vitest";
import { factsFrom } from "../../src/cli/common.js";
import { runCli } from "../support/cli.js";

describe("--fact", () => {
  it("overrides a known fact", () => {
    expect(factsFrom(["arch=arm64", "is_raspberry_pi=true"])).toMatchObject({ arch: "arm64", is_raspberry_pi: true });
  });

  it("refuses an unknown fact with a did-you-mean, instead of planning for this machine", () => {
    expect(() => factsFrom(["archh=arm64"])).toThrow('--fact archh=arm64: there is no fact named "archh"');
    const r = runCli(["plan", "playbooks/dev.yml", "--fact", "archh=arm64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[usage]: --fact archh=arm64: there is no fact named "archh"');
    expect(r.stderr).toContain("hint: did you mean `arch`?");
    expect(r.stdout).toBe("");
  });

  it("lists the facts when nothing is close", () => {
    const r = runCli(["plan", "playbooks/dev.yml", "--fact", "bogus=1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hint: the facts are os, arch, machine, .*shell \(see `runbook facts`\)/);
  });
});
