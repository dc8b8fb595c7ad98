import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const PB = "test/fixtures/hostfile/cmdline.yml";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files() {
  const dir = mkdtempSync(join(tmpdir(), "rb-hostfile-"));
  dirs.push(dir);
  const cmdline = join(dir, "cmdline.txt");
  const envfile = join(dir, "env");
  writeFileSync(cmdline, "console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootwait\n");
  writeFileSync(envfile, "A=1\nTOKEN=old\n");
  return {
    dir,
    cmdline,
    envfile,
    vars: ["-e", `cmdline=${cmdline}`, "-e", `envfile=${envfile}`, "-e", "token=s3cr3t"],
  };
}

describe("lineinfile from the CLI: the Pi cmdline.txt", () => {
  it("plan shows the diff and writes nothing; apply changes then is ok; a no_log line stays hidden", () => {
    const f = files();
    const plan = runCli(["plan", PB, ...f.vars]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "-console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootwait\n" +
        "           +console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootwait cgroup_memory=1 cgroup_enable=memory\n",
    );
    expect(plan.stdout).toContain("content hidden (no_log)");
    expect(plan.stdout).not.toContain("s3cr3t");
    const dry = runCli(["apply", PB, "--dry-run", "-o", "plain", ...f.vars]);
    expect(dry.code).toBe(0);
    expect(readFileSync(f.cmdline, "utf8")).toBe(
      "console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootwait\n",
    );
    expect(readFileSync(f.envfile, "utf8")).toBe("A=1\nTOKEN=old\n");

    const first = runCli(["apply", PB, "-o", "plain", "-v", ...f.vars]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/recap +done ok=0 changed=2/);
    expect(first.stdout + first.stderr).not.toContain("s3cr3t");
    const want =
      "console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootwait cgroup_memory=1 cgroup_enable=memory\n";
    expect(readFileSync(f.cmdline, "utf8")).toBe(want);
    expect(readFileSync(f.envfile, "utf8")).toBe("A=1\nTOKEN=s3cr3t\n");
    const second = runCli(["apply", PB, "-o", "plain", ...f.vars]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/recap +done ok=2 changed=0/);
    expect(readFileSync(f.cmdline, "utf8")).toBe(want);
  });

  it("bad arguments are schema errors with file:line:col, exit 2", () => {
    const f = files();
    const bad = join(f.dir, "bad.yml");
    writeFileSync(bad, "- lineinfile: { path: /x, line: y, backrefs: true }\n- fetch: { src: /x }\n");
    const r = runCli(["validate", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:1:15: error[schema]: lineinfile: backrefs: true needs regexp`);
    expect(r.stderr).toMatch(new RegExp(`${bad}:2:\\d+: error\\[schema\\]: fetch`));
  });
});
