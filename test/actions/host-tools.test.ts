import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const TOOLS = resolve(__dirname, "../support/host-tools");
// biome-ignore lint/suspicious/noTemplateCurlyInString: the dpkg-query format as recorded
const DPKG = "dpkg-query -W -f=${Package} ${Status} ${Version}\\n curl open-iscsi nfs-common";

/** package and service on this machine, against the recording stand-ins of test/support/host-tools. */
describe("package and service (local, recording stand-ins)", () => {
  let dir: string;
  let state: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rb-hosttools-"));
    state = join(dir, "state");
    mkdirSync(join(state, "units"), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const log = () => readFileSync(join(state, "log"), "utf8").trim().split("\n");
  const clearLog = () => rmSync(join(state, "log"), { force: true });
  function pb(tasks: string): string {
    const p = join(dir, "site.yml");
    writeFileSync(p, `environment:\n  PATH: "${TOOLS}:/usr/bin:/bin"\n  RB_STATE: "${state}"\ntasks:\n${tasks}`);
    return p;
  }

  it("apt: queries dpkg, installs only the missing packages, and changes nothing the second time", () => {
    writeFileSync(join(state, "dpkg-pre"), "");
    mkdirSync(join(state, "dpkg"));
    writeFileSync(join(state, "dpkg", "curl"), "7.88\n");
    const p = pb(
      '  - name: pkgs\n    package: { name: [curl, open-iscsi, nfs-common], update_cache: true, use: apt }\n    register: r\n  - print: "{{ r.packages }} {{ r.cache_updated }}"\n',
    );
    const r = runCli(["apply", p, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/changed +\[1\] pkgs/);
    expect(r.stdout).toContain('["open-iscsi","nfs-common"] true');
    expect(log()).toEqual([
      "apt-get update",
      DPKG,
      "apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold open-iscsi nfs-common",
    ]);
    clearLog();
    const again = runCli([
      "apply",
      pb("  - name: pkgs\n    package: { name: [curl, open-iscsi, nfs-common] }\n"),
      "-o",
      "plain",
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ok +\[1\] pkgs/);
    expect(log()).toEqual([DPKG]);
  });

  it("plan lists the packages that would change, from the read-only query, and installs nothing", () => {
    mkdirSync(join(state, "dpkg"));
    writeFileSync(join(state, "dpkg", "curl"), "7.88\n");
    const p = pb(
      "  - name: pkgs\n    package: { name: [curl, jq], use: apt }\n  - name: gone\n    package: { name: [curl, jq], state: absent, use: apt }\n",
    );
    const r = runCli(["plan", p, "--format", "json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    const steps = plan.steps ?? plan.hosts?.[0]?.steps;
    const byName = Object.fromEntries(steps.map((s: { name: string }) => [s.name, s]));
    expect(byName.pkgs).toMatchObject({
      will_change: true,
      command: expect.stringMatching(/apt-get install -y .* jq$/),
    });
    expect(byName.pkgs.summary).toBe("install jq");
    expect(byName.gone.summary).toBe("remove curl");
    expect(log().every((l) => l.startsWith("dpkg-query"))).toBe(true);
  });

  it("apt retries while the dpkg lock is held, and fails with apt's message once lock_timeout is spent", () => {
    writeFileSync(join(state, "lock"), "2\n");
    const ok = runCli(["apply", pb("  - name: pkgs\n    package: { name: jq, use: apt }\n"), "-o", "plain"]);
    expect(ok.code).toBe(0);
    expect(log().filter((l) => l.startsWith("apt-get install"))).toHaveLength(3);
    writeFileSync(join(state, "lock"), "1000\n");
    const held = runCli([
      "apply",
      pb("  - name: pkgs\n    package: { name: yq, use: apt, lock_timeout: 0 }\n"),
      "-o",
      "plain",
    ]);
    expect(held.code).toBe(1);
    expect(held.stdout + held.stderr).toContain("Could not get lock /var/lib/dpkg/lock-frontend");
  });

  it("an unknown package fails with apt-get's own message", () => {
    const r = runCli(["apply", pb("  - name: pkgs\n    package: { name: no-such-pkg, use: apt }\n"), "-o", "plain"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("Unable to locate package no-such-pkg");
  });

  it("dnf: rpm -q first, dnf install for the missing ones only", () => {
    const p = pb("  - name: pkgs\n    package: { name: [git, jq], use: dnf }\n");
    expect(runCli(["apply", p, "-o", "plain"]).code).toBe(0);
    expect(runCli(["apply", p, "-o", "plain"]).stdout).toMatch(/ok +\[1\] pkgs/);
    expect(log()).toEqual(["rpm -q git jq", "dnf install -y git jq", "rpm -q git jq"]);
  });

  it("service: reads is-active/is-enabled, acts only when needed; restarted always acts", () => {
    writeFileSync(join(state, "units", "k3s"), "");
    const p = pb(
      "  - name: up\n    service: { name: k3s, state: started, enabled: true, daemon_reload: true }\n  - name: bounce\n    systemd: { name: k3s.service, state: restarted }\n",
    );
    const r = runCli(["apply", p, "-o", "plain"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/changed +\[1\] up/);
    expect(log()).toEqual([
      "systemctl daemon-reload",
      "systemctl is-active k3s",
      "systemctl is-enabled k3s",
      "systemctl enable k3s",
      "systemctl start k3s",
      "systemctl is-active k3s.service",
      "systemctl restart k3s.service",
    ]);
    clearLog();
    const again = runCli([
      "apply",
      pb("  - name: up\n    service: { name: k3s, state: started, enabled: true }\n"),
      "-o",
      "plain",
    ]);
    expect(again.stdout).toMatch(/ok +\[1\] up/);
    expect(log()).toEqual(["systemctl is-active k3s", "systemctl is-enabled k3s"]);
    const stop = runCli(["plan", pb("  - name: down\n    service: { name: k3s, state: stopped, enabled: false }\n")]);
    expect(stop.stdout).toContain("$ systemctl disable k3s && systemctl stop k3s");
  });

  it("service: an unknown unit fails with systemd's message", () => {
    const r = runCli(["apply", pb("  - name: x\n    service: { name: nope, state: started }\n"), "-o", "plain"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("Unit nope.service could not be found.");
  });

  it("reboot refuses on the local machine unless allow_local, and says so in the plan", () => {
    const p = pb(`  - name: boot\n    reboot: { reboot_command: "touch ${state}/rebooted" }\n`);
    const plan = runCli(["plan", p]);
    expect(plan.stdout).toContain("would refuse on the local machine");
    const r = runCli(["apply", p, "-o", "plain"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("refusing to reboot the machine runbook runs on");
    expect(() => readFileSync(join(state, "rebooted"))).toThrow();
  });

  it("bad arguments are a validation error with the step's location, exit 2", () => {
    const p = pb(
      "  - name: x\n    service: { name: k3s, state: running }\n  - name: y\n    package: { name: jq, state: gone }\n  - name: z\n    reboot: { reboot_timeout: soon }\n",
    );
    const r = runCli(["validate", p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/site\.yml:6:\d+/);
    expect(r.stderr).toMatch(/site\.yml:8:\d+/);
    expect(r.stderr).toMatch(/site\.yml:10:\d+/);
  });
});
