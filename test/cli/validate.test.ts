import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("runbook validate", () => {
  it("reports every problem in every file at once, then exits 2", () => {
    const r = runCli([
      "validate",
      "test/fixtures/invalid/unknown-key.yml",
      "test/fixtures/form-list/playbook.yml",
      "test/fixtures/invalid/bad-cel.yml",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("ok test/fixtures/form-list/playbook.yml\n");
    expect(r.stderr).toContain("test/fixtures/invalid/unknown-key.yml:");
    expect(r.stderr).toContain("test/fixtures/invalid/bad-cel.yml:");
    expect(r.stderr).toMatch(/\n2 errors\n$/);
  });

  it("exits 0 when all files are valid", () => {
    const r = runCli(["validate", "test/fixtures/form-list/playbook.yml", "test/fixtures/form-document/playbook.yml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("plan and apply mask values of secret-named variables unless --show-secrets", () => {
    for (const cmd of [
      ["plan"],
      ["plan", "--format", "json"],
      ["apply", "--output", "plain", "-v"],
      ["apply", "--output", "json", "-v"],
    ]) {
      const masked = runCli([...cmd, "test/fixtures/secrets/playbook.yml"]);
      expect(masked.code).toBe(0);
      expect(masked.stdout).toContain("connect");
      expect(masked.stdout + masked.stderr).not.toContain("hunter2-long");
    }
    const shown = runCli(["plan", "test/fixtures/secrets/playbook.yml", "--show-secrets"]);
    expect(shown.stdout).toContain("echo connecting with hunter2-long");
  });
});
