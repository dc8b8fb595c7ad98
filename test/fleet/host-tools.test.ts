import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../support/cli.js";
import { descendants, SSHD, sshdMissing, startFleet, type TestFleet } from "../support/sshd/index.js";

const missing = sshdMissing();
const TOOLS = resolve(__dirname, "../support/host-tools");

/** package, service and reboot over real sshd hosts, with become, against test/support/host-tools. */
describe.skipIf(missing !== undefined)(`host actions over SSH${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let f: TestFleet;
  beforeAll(async () => {
    f = await startFleet(["pi1", "pi2"]);
    for (const [h, root] of f.roots) {
      const s = f.servers.get(h)!;
      mkdirSync(join(root, "units"), { recursive: true });
      writeFileSync(join(root, "units", "k3s"), "");
      writeFileSync(join(root, "boot_id"), "boot-1\n");
      writeFileSync(join(root, "sshd-pidfile"), join(s.dir, "sshd.pid"));
      writeFileSync(join(root, "sshd-config"), join(s.dir, "sshd_config"));
      writeFileSync(join(root, "sshd-bin"), SSHD);
      writeFileSync(join(root, "reboot-mode"), h === "pi1" ? "back" : "never");
    }
  });
  afterAll(async () => {
    // The "rebooted" sshd was started by the reboot stand-in: end it (and its sessions) by its pid file.
    for (const s of f?.servers.values() ?? []) {
      try {
        const pid = Number(readFileSync(join(s.dir, "sshd.pid"), "utf8"));
        if (pid && pid !== s.pid) for (const p of [...descendants(pid), pid]) process.kill(p, "SIGKILL");
      } catch {
        // not restarted
      }
    }
    await f?.stop();
  });

  const log = (h: string) =>
    readFileSync(join(f.roots.get(h)!, "log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.trimEnd());
  const clearLog = (h: string) => rmSync(join(f.roots.get(h)!, "log"), { force: true });
  function playbook(name: string, hosts: string, tasks: string): string {
    const p = join(f.dir, name);
    writeFileSync(
      p,
      `- hosts: ${hosts}\n  become: true\n  environment:\n    PATH: "${TOOLS}:/usr/bin:/bin"\n    RB_STATE: "{{ root }}"\n  tasks:\n${tasks}`,
    );
    return p;
  }

  it("package and service: queries as the login user, changes through sudo, a second run changes nothing", () => {
    const tasks =
      "    - name: pkgs\n      package: { name: [curl, open-iscsi], use: apt }\n    - name: k3s\n      service: { name: k3s, state: started, enabled: true }\n";
    const pb = playbook("pkgs.yml", "pi1", tasks);
    const plan = runCli(["plan", pb, "-i", f.inventory]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "$ apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold curl open-iscsi",
    );
    expect(plan.stdout).toContain("$ systemctl enable k3s && systemctl start k3s");
    clearLog("pi1");
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pi1 \| recap +done ok=0 changed=2/m);
    const pe = "--preserve-env=PATH,RB_STATE";
    expect(log("pi1")).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the dpkg-query format as recorded
      "dpkg-query -W -f=${Package} ${Status} ${Version}\\n curl open-iscsi",
      `sudo -n ${pe},DEBIAN_FRONTEND sh -c 'apt-get' 'install' '-y' '-o' 'Dpkg::Options::=--force-confdef' '-o' 'Dpkg::Options::=--force-confold' 'curl' 'open-iscsi'`,
      "apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold curl open-iscsi",
      "systemctl is-active k3s",
      "systemctl is-enabled k3s",
      `sudo -n ${pe} sh -c 'systemctl' 'enable' 'k3s'`,
      "systemctl enable k3s",
      `sudo -n ${pe} sh -c 'systemctl' 'start' 'k3s'`,
      "systemctl start k3s",
    ]);
    clearLog("pi1");
    const again = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(again.stdout).toMatch(/^pi1 \| recap +done ok=2 changed=0/m);
    expect(log("pi1").some((l) => l.startsWith("sudo"))).toBe(false);
  });

  it("reboot: waits through the dropped connection for a new boot id; a host that never comes back times out", async () => {
    const pb = playbook(
      "reboot.yml",
      "all",
      "    - name: reboot\n      reboot: { reboot_timeout: 8, connect_timeout: 3, boot_time_command: 'cat {{ root }}/boot_id' }\n      register: rb\n    - name: after\n      shell: 'echo {{ rb.rebooted }} $(cat {{ root }}/boot_id) > {{ root }}/after'\n",
    );
    const r = await runCliAsync(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^pi1 \| recap +done ok=0 changed=2/m);
    expect(readFileSync(join(f.roots.get("pi1")!, "after"), "utf8")).toMatch(/^true boot-\d+\n$/);
    expect(log("pi1").filter((l) => l.includes("reboot"))).toEqual([
      "sudo -n --preserve-env=PATH,RB_STATE sh -c '/bin/sh' -c 'reboot'",
      "reboot",
    ]);
    // pi2 went down the same way and never answered again.
    expect(log("pi2").filter((l) => l === "reboot")).toHaveLength(1);
    expect(r.stdout).toMatch(/^pi2 \| .*timed out after 8s waiting for the host to come back/m);
    expect(r.code).not.toBe(0);
  }, 60_000);
});
