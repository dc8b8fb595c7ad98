import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

/** SPEC §8: Ctrl-C exits 130, says where it stopped, and leaves no process of the step behind. */
function survivors(pattern: string): string {
  // Anchored, so the `sh -c` wrappers (whose command lines also hold the text) do not count.
  return spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" }).stdout.trim();
}

describe("interrupt", () => {
  it("SIGINT stops the run with exit 130 and kills the step's process tree", async () => {
    const marker = String(process.pid * 1000 + Math.floor(Math.random() * 1000));
    const pattern = `^sleep 60\\.${marker}$`;
    const child = spawnCli(["apply", "--output", "plain", "test/fixtures/interrupt.yml", "-e", `marker=${marker}`]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // Wait (without a fixed sleep) until both sleeps of this run exist.
    for (let i = 0; i < 200 && survivors(pattern).split("\n").filter(Boolean).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(survivors(pattern).split("\n").filter(Boolean)).toHaveLength(2);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted during \[\d+\] long sleeper/);
    expect(stdout).not.toContain("never reached");
    // The step's processes die with it: poll briefly, since SIGKILL delivery is asynchronous.
    for (let i = 0; i < 40 && survivors(pattern); i++) await new Promise((r) => setTimeout(r, 50));
    expect(survivors(pattern)).toBe("");
  });
});
