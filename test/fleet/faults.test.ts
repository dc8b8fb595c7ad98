import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";
import { sshdMissing, startFleet, type TestFleet } from "../support/sshd/index.js";

const missing = sshdMissing();

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 300 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
  if (!existsSync(path)) throw new Error(`${path} never appeared`);
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

function collect(child: ReturnType<typeof spawnCli>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(missing !== undefined)(
  `runbook -i when hosts drop or the user interrupts${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let f: TestFleet;
    beforeAll(async () => {
      f = await startFleet(["pi1", "pi2", "pi3"]);
    });
    afterAll(async () => {
      await f?.stop();
    });

    it("Ctrl-C during a remote step stops the run (130) and the remote process dies too", async () => {
      const pb = join(f.dir, "long.yml");
      writeFileSync(pb, "- hosts: pi1\n  tasks:\n    - shell: echo $$ > {{ root }}/long.pid; sleep 60\n");
      const child = spawnCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      const done = collect(child);
      const pidFile = join(f.roots.get("pi1")!, "long.pid");
      await waitFor(pidFile);
      child.kill("SIGINT");
      const r = await done;
      expect(r.code).toBe(130);
      expect(await gone(Number(readFileSync(pidFile, "utf8")))).toBe(true);
    });

    it("no secret from the environment appears in any process list on the host", async () => {
      const secret = `tok-${process.pid}-xyzzy`;
      const pb = join(f.dir, "secret.yml");
      writeFileSync(
        pb,
        `- hosts: pi2
  tasks:
    - shell: ps -eo args > {{ root }}/ps.txt; test -n "$API_TOKEN"
      environment: { API_TOKEN: "${secret}" }
`,
      );
      const r = await collect(spawnCli(["apply", pb, "-i", f.inventory, "-o", "plain"]));
      expect(r.code).toBe(0);
      const ps = readFileSync(join(f.roots.get("pi2")!, "ps.txt"), "utf8");
      expect(ps).toContain("ps -eo args");
      expect(ps).not.toContain(secret);
    });

    it("a host that drops mid-run is unreachable; the other hosts finish and the run exits 4", async () => {
      const pb = join(f.dir, "drop.yml");
      writeFileSync(
        pb,
        `- hosts: pi1,pi3
  tasks:
    - shell: touch {{ root }}/started; sleep 3
    - shell: touch {{ root }}/second
`,
      );
      const child = spawnCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      const done = collect(child);
      await waitFor(join(f.roots.get("pi3")!, "started"));
      await f.servers.get("pi3")!.drop();
      const r = await done;
      expect(r.stdout).toMatch(/^pi3 \| recap +unreachable/m);
      expect(r.stdout).toMatch(/^pi1 \| recap +done/m);
      expect(existsSync(join(f.roots.get("pi1")!, "second"))).toBe(true);
      expect(existsSync(join(f.roots.get("pi3")!, "second"))).toBe(false);
      expect(r.code).toBe(4);
    });
  },
);
