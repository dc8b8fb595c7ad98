import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { localExec } from "../../src/engine/io/exec.js";

function alive(pattern: string): string {
  return spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" }).stdout.trim();
}
async function gone(pattern: string): Promise<string> {
  for (let i = 0; i < 40 && alive(pattern); i++) await new Promise((r) => setTimeout(r, 50));
  return alive(pattern);
}

describe("localExec", () => {
  it("returns rc, output without the final newline, and streams chunks", async () => {
    const chunks: string[] = [];
    const r = await localExec.run({
      shell: "echo out; echo err >&2; exit 3",
      onOutput: (s, c) => chunks.push(`${s}:${c}`),
    });
    expect(r).toMatchObject({ rc: 3, stdout: "out", stderr: "err", timedOut: false, interrupted: false });
    expect(chunks.join("")).toContain("stdout:out\n");
  });

  it("passes stdin, env and cwd; a missing program is rc 127", async () => {
    const r = await localExec.run({ shell: 'cat; echo " $X"; pwd', stdin: "in", env: { X: "y" }, cwd: "/tmp" });
    expect(r.stdout).toBe("in y\n/tmp");
    const nf = await localExec.run({ argv: ["/nonexistent/prog"] });
    expect(nf.rc).toBe(127);
    expect(nf.stderr).toContain("command not found");
  });

  it("a child that escapes with setsid and keeps stdout open does not hold the step past its timeout", async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const pattern = `^sleep 300\\.${marker}$`;
    // Were the step to wait for the pipes, this would outlast the test's own timeout.
    const r = await localExec.run({ shell: `setsid sleep 300.${marker} & wait`, timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.escaped?.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/killed \d+ process\(es\) that had left the step's process group/);
    expect(await gone(pattern)).toBe("");
  });

  it("an abort stops a step whose escaped child outlived its parent", async () => {
    const marker = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const pattern = `^sleep 30\\.${marker}$`;
    const ac = new AbortController();
    const p = localExec.run({ shell: `setsid sleep 30.${marker} & exit 0`, signal: ac.signal });
    for (let i = 0; i < 100 && !alive(pattern); i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const r = await p;
    expect(r.interrupted).toBe(true);
    expect(await gone(pattern)).toBe("");
  });
});
