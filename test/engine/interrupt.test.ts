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

describe("second interrupt", () => {
  it("a second Ctrl-C exits at once with 130 after killing the step's tree, even one that ignores SIGTERM", async () => {
    const marker = String(process.pid * 1000 + Math.floor(Math.random() * 1000));
    const pattern = `^sleep 61\\.${marker}$`;
    const child = spawnCli([
      "apply",
      "--output",
      "plain",
      "test/fixtures/interrupt-stubborn.yml",
      "-e",
      `marker=${marker}`,
    ]);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    for (let i = 0; i < 200 && !survivors(pattern); i++) await new Promise((r) => setTimeout(r, 50));
    expect(survivors(pattern)).not.toBe("");
    const closed = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    child.kill("SIGINT");
    // The second Ctrl-C must come while the first is still waiting out its SIGTERM grace: wait for the
    // first to be taken (the reporter prints nothing for it, so give the signal handler a moment).
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGINT");
    const code = await closed;
    expect(code).toBe(130);
    // the second-interrupt path ran (the first alone would also end in 130, after its grace)
    expect(stderr).toContain("interrupted again");
    for (let i = 0; i < 40 && survivors(pattern); i++) await new Promise((r) => setTimeout(r, 50));
    expect(survivors(pattern)).toBe("");
  });
});

/** Starts the CLI and waits (without a fixed sleep) until `count` processes match `pattern`. */
async function startAndWait(args: string[], pattern: string, count: number) {
  const child = spawnCli(args);
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const closed = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  for (let i = 0; i < 200 && survivors(pattern).split("\n").filter(Boolean).length < count; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(survivors(pattern).split("\n").filter(Boolean)).toHaveLength(count);
  return { child, closed, stderr: () => stderr };
}

async function noSurvivors(pattern: string): Promise<string> {
  for (let i = 0; i < 40 && survivors(pattern); i++) await new Promise((r) => setTimeout(r, 50));
  return survivors(pattern);
}

describe("other exit paths", () => {
  it("SIGHUP (the terminal went away) stops the run and kills the step's tree", async () => {
    const marker = String(process.pid * 1000 + Math.floor(Math.random() * 1000));
    const pattern = `^sleep 60\\.${marker}$`;
    const run = await startAndWait(
      ["apply", "--output", "plain", "test/fixtures/interrupt.yml", "-e", `marker=${marker}`],
      pattern,
      2,
    );
    run.child.kill("SIGHUP");
    expect(await run.closed).toBe(130);
    expect(run.stderr()).toMatch(/interrupted during \[\d+\] long sleeper/);
    expect(await noSurvivors(pattern)).toBe("");
  });

  it.each(["SIGINT", "SIGHUP"] as const)(
    "%s during plan kills a probe's tree, setsid escapee included",
    async (sig) => {
      const marker = String(process.pid * 1000 + Math.floor(Math.random() * 1000));
      const pattern = `^sleep 62\\.${marker}$`;
      const run = await startAndWait(
        ["plan", "test/fixtures/interrupt-plan.yml", "-e", `marker=${marker}`],
        pattern,
        2,
      );
      run.child.kill(sig);
      expect(await run.closed).toBe(130);
      expect(run.stderr()).toContain("plan interrupted");
      expect(await noSurvivors(pattern)).toBe("");
    },
  );
});
