import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const COMMANDS = ["apply", "plan", "validate", "facts", "schema", "playbooks", "presets", "completion"];

describe("the runbook command", () => {
  it("--version prints the package version", () => {
    const r = runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(COMMANDS)("`%s --help` has examples", (cmd) => {
    const r = runCli([cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
  });

  it("an unknown command exits 2 with a pointer to --help", () => {
    const r = runCli(["aply", "x.yml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("runbook --help");
    expect(runCli(["apply"]).code).toBe(2);
  });

  it("facts prints JSON with the release-file arch names", () => {
    const r = runCli(["facts"]);
    const facts = JSON.parse(r.stdout) as { os: string; arch: string };
    expect(["linux", "darwin", "windows"]).toContain(facts.os);
    expect(["amd64", "arm64", "armv7"]).toContain(facts.arch);
  });

  it("completion scripts name every command; the bash one parses", () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const r = runCli(["completion", shell]);
      expect(r.code).toBe(0);
      for (const c of COMMANDS.filter((c) => c !== "completion")) expect(r.stdout).toContain(c);
    }
    const script = runCli(["completion", "bash"]).stdout;
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
    expect(runCli(["completion", "tcsh"]).code).toBe(2);
  });
});
