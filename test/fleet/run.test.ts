import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../support/cli.js";
import { ReleaseServer } from "../support/release-server.js";
import { sshdMissing, startFleet, type TestFleet } from "../support/sshd/index.js";

const missing = sshdMissing();

describe.skipIf(missing !== undefined)(
  `runbook -i over real sshd hosts${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let f: TestFleet;
    beforeAll(async () => {
      f = await startFleet(["pi1", "pi2", "pi3"], { dead: "gone" });
    });
    afterAll(async () => {
      await f?.stop();
    });

    function playbook(name: string, text: string): string {
      const p = join(f.dir, name);
      writeFileSync(p, text);
      return p;
    }

    it("runs every step on every host, each with its own vars, and prefixes lines with the host", () => {
      const pb = playbook(
        "site.yml",
        `- hosts: all:!gone
  tasks:
    - name: mark
      shell: echo "{{ inventory_hostname }} {{ facts.arch }}" > {{ root }}/mark
`,
      );
      const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      for (const h of ["pi1", "pi2", "pi3"]) {
        expect(readFileSync(join(f.roots.get(h)!, "mark"), "utf8")).toMatch(new RegExp(`^${h} (amd64|arm64)\\n$`));
        expect(r.stdout).toMatch(new RegExp(`^${h} \\| changed +\\[1\\] mark`, "m"));
        expect(r.stdout).toMatch(new RegExp(`^${h} \\| recap +done ok=0 changed=1`, "m"));
      }
      expect(r.stdout).toMatch(/^hosts +3 ok=3 failed=0 unreachable=0/m);
    });
  },
);

describe.skipIf(missing !== undefined)("runbook -i: variables, files, limits and failures across hosts", () => {
  let f: TestFleet;
  beforeAll(async () => {
    f = await startFleet(["pi1", "pi2", "pi3"], { dead: "gone" });
    writeFileSync(
      join(f.dir, "groups.yml"),
      readFileSync(f.inventory, "utf8") +
        "  children:\n    server:\n      hosts:\n        pi1:\n    agent:\n      hosts:\n        pi2:\n        pi3:\n",
    );
  });
  afterAll(async () => {
    await f?.stop();
  });

  function playbook(name: string, text: string): string {
    const p = join(f.dir, name);
    writeFileSync(p, text);
    return p;
  }
  const groups = () => join(f.dir, "groups.yml");

  it("an unreachable host is reported as such; the others go on and the run exits 4", () => {
    const pb = playbook("touch.yml", "- hosts: all\n  tasks:\n    - shell: touch {{ root }}/touched\n");
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.code).toBe(4);
    for (const h of ["pi1", "pi2", "pi3"]) expect(readFileSync(join(f.roots.get(h)!, "touched"), "utf8")).toBe("");
    expect(r.stdout).toMatch(/^gone \| recap +unreachable ok=0/m);
    expect(r.stdout).toMatch(/^hosts +4 ok=3 failed=0 unreachable=1/m);
  });

  it("a later play reads what a host registered earlier through hostvars; groups name the hosts", () => {
    const pb = playbook(
      "k3s.yml",
      `- hosts: server
  tasks:
    - shell: echo token-of-{{ inventory_hostname }}
      register: token
- hosts: agent
  tasks:
    - copy:
        content: '{{ hostvars.pi1.token.stdout }} {{ join groups.agent "," }} {{ join group_names "," }}'
        dest: "{{ root }}/joined"
`,
    );
    const r = runCli(["apply", pb, "-i", groups(), "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const h of ["pi2", "pi3"])
      expect(readFileSync(join(f.roots.get(h)!, "joined"), "utf8")).toBe("token-of-pi1 pi2,pi3 agent");
  });

  it("copy and template write on each host atomically; a second run changes nothing", () => {
    writeFileSync(join(f.dir, "motd.hbs"), "host {{ inventory_hostname }} in {{ join group_names ',' }}\n");
    const pb = playbook(
      "files.yml",
      `- hosts: agent
  tasks:
    - template: { src: motd.hbs, dest: "{{ root }}/motd", mode: "0600" }
    - file: { path: "{{ root }}/sub", state: directory }
    - copy: { content: "same everywhere\\n", dest: "{{ root }}/sub/c.txt" }
`,
    );
    const first = runCli(["apply", pb, "-i", groups(), "-o", "plain"]);
    expect(first.code).toBe(0);
    expect(readFileSync(join(f.roots.get("pi3")!, "motd"), "utf8")).toBe("host pi3 in agent\n");
    expect(readFileSync(join(f.roots.get("pi2")!, "sub/c.txt"), "utf8")).toBe("same everywhere\n");
    const second = runCli(["apply", pb, "-i", groups(), "-o", "plain"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^pi2 \| recap +done ok=3 changed=0/m);
    expect(second.stdout).toMatch(/^pi3 \| recap +done ok=3 changed=0/m);
  });

  it("--limit narrows the hosts; become runs as become_user over SSH", () => {
    const pb = playbook(
      "become.yml",
      "- hosts: all\n  tasks:\n    - shell: id -un > {{ root }}/whoami.$(id -un)\n      become: true\n      become_user: nobody\n",
    );
    // nobody cannot write into root's folder: let it, for this test only.
    for (const d of [f.dir, join(f.dir, "hosts")]) chmodSync(d, 0o755);
    for (const root of f.roots.values()) chmodSync(root, 0o777);
    const r = runCli(["apply", pb, "-i", f.inventory, "--limit", "pi2", "-o", "plain"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(f.roots.get("pi2")!, "whoami.nobody"), "utf8")).toBe("nobody\n");
    // become applies to file writes over SSH too: the file belongs to become_user.
    const copied = playbook(
      "become-copy.yml",
      '- hosts: pi3\n  tasks:\n    - copy: { content: "x", dest: "{{ root }}/owned" }\n      become: true\n      become_user: nobody\n',
    );
    expect(runCli(["apply", copied, "-i", f.inventory, "-o", "plain"]).code).toBe(0);
    expect(statSync(join(f.roots.get("pi3")!, "owned")).uid).toBe(
      Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" })),
    );
    expect(r.stdout).not.toMatch(/^pi1 \|/m);
    expect(r.stdout).toMatch(/^hosts +1 ok=1/m);
  });

  it("hosts run in parallel up to --forks: three hosts meet only when all three run at once", () => {
    const meet = join(f.dir, "meet");
    // Each host arrives, then waits (up to 2s) until all three have arrived for this run.
    const pb = playbook(
      "meet.yml",
      `- hosts: pi1,pi2,pi3
  tasks:
    - shell: |
        mkdir -p ${meet}/{{ run }}; touch ${meet}/{{ run }}/{{ inventory_hostname }}
        for i in $(seq 40); do [ "$(ls ${meet}/{{ run }} | wc -l)" -ge 3 ] && exit 0; sleep 0.05; done; exit 1
`,
    );
    const together = runCli(["apply", pb, "-i", f.inventory, "--forks", "3", "-o", "plain", "-e", "run=a"]);
    expect(together.code).toBe(0);
    const oneByOne = runCli(["apply", pb, "-i", f.inventory, "--forks", "1", "-o", "plain", "-e", "run=b"]);
    expect(oneByOne.code).toBe(1);
    expect(oneByOne.stdout).toMatch(/^pi1 \| failed/m);
  });

  it("plan is a plan per host: JSON has hosts[] under plan_version 2", () => {
    const pb = playbook(
      "plan.yml",
      '- hosts: agent\n  tasks:\n    - copy: { content: "x\\n", dest: "{{ root }}/p" }\n',
    );
    const r = runCli(["plan", pb, "-i", groups(), "--format", "json"]);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc.plan_version).toBe(2);
    expect(doc.hosts.map((h: { host: string }) => h.host)).toEqual(["pi2", "pi3"]);
    expect(doc.hosts[0].steps[0].summary).toContain(join(f.roots.get("pi2")!, "p"));
  });

  it("serial: rolls through batches in inventory order, a batch finishing before the next starts", () => {
    const log = join(f.dir, "serial.log");
    const pb = playbook(
      "serial.yml",
      `- hosts: pi1:pi2:pi3
  serial: [1, "100%"]
  tasks:
    - shell: echo "start {{ inventory_hostname }}" >> ${log}; sleep 0.2; echo "end {{ inventory_hostname }}" >> ${log}
`,
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.code).toBe(0);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines.slice(0, 2)).toEqual(["start pi1", "end pi1"]);
    expect(lines.slice(2).sort()).toEqual(["end pi2", "end pi3", "start pi2", "start pi3"]);
  });

  it("connection: local runs the play on the controller for each host, even one no ssh reaches", () => {
    const pb = playbook(
      "local.yml",
      '- hosts: gone\n  connection: local\n  tasks:\n    - copy: { content: "{{ inventory_hostname }}", dest: "{{ root }}.local" }\n',
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(f.dir, "hosts", "gone.local"), "utf8")).toBe("gone");
  });

  it("a play without hosts run with -i is an error naming the play; validate reads a list of plays", () => {
    const pb = playbook("nohosts.yml", "name: here\ntasks:\n  - print: hi\n");
    const r = runCli(["apply", pb, "-i", f.inventory]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("play `here` has no `hosts:`");
    const bad = playbook("bad-plays.yml", "- hosts: all\n  tasks:\n    - shell: true\n      regster: x\n");
    const v = runCli(["validate", bad]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/bad-plays.yml:4:7: .*regster/);
  });

  it("run_once runs a step on one host and every host registers its result", () => {
    const log = join(f.dir, "once.log");
    const pb = playbook(
      "once.yml",
      `- hosts: pi1,pi2,pi3
  tasks:
    - shell: echo "{{ inventory_hostname }}" >> ${log}; echo "made by {{ inventory_hostname }}"
      run_once: true
      register: made
    - copy: { content: "{{ made.stdout }}", dest: "{{ root }}/made" }
`,
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ran = readFileSync(log, "utf8").trim().split("\n");
    expect(ran).toHaveLength(1);
    for (const h of ["pi1", "pi2", "pi3"])
      expect(readFileSync(join(f.roots.get(h)!, "made"), "utf8")).toBe(`made by ${ran[0]}`);
  });

  it("delegate_to: localhost runs the step on the controller with the host's variables", () => {
    const pb = playbook(
      "delegate.yml",
      `- hosts: pi1
  tasks:
    - shell: basename "$(readlink /proc/$PPID/exe)" > {{ root }}/parent.local
      delegate_to: localhost
    - shell: basename "$(readlink /proc/$PPID/exe)" > {{ root }}/parent.remote
`,
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(f.roots.get("pi1")!, "parent.local"), "utf8").trim()).toBe("node");
    expect(readFileSync(join(f.roots.get("pi1")!, "parent.remote"), "utf8").trim()).not.toBe("node");
  });

  it("download fetches once on the controller, pushes to each host and verifies there; a second run fetches nothing", async () => {
    const mirror = await ReleaseServer.start();
    try {
      const file = mirror.addFile("v1/tool", "#!/bin/sh\necho tool\n");
      const pb = playbook(
        "download.yml",
        `- hosts: pi1,pi2,pi3
  tasks:
    - download:
        url: ${file.url}
        dest: "{{ root }}/bin/"
        checksum: "sha256:${file.checksumUrl}"
        mode: "0755"
`,
      );
      const cache = join(f.dir, "cache");
      const first = await runCliAsync(["apply", pb, "-i", f.inventory, "-o", "plain"], { RUNBOOK_CACHE_DIR: cache });
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      for (const h of ["pi1", "pi2", "pi3"]) {
        const p = join(f.roots.get(h)!, "bin", "tool");
        expect(readFileSync(p, "utf8")).toBe("#!/bin/sh\necho tool\n");
        expect(statSync(p).mode & 0o777).toBe(0o755);
      }
      expect(mirror.requests("v1/tool")).toBe(1);
      const second = await runCliAsync(["apply", pb, "-i", f.inventory, "-o", "plain"], { RUNBOOK_CACHE_DIR: cache });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/^pi2 \| recap +done ok=1 changed=0/m);
      expect(mirror.requests("v1/tool")).toBe(1);
    } finally {
      await mirror.close();
    }
  });

  it("become, become_user and environment on a play apply to each of its steps; gather_facts is accepted", () => {
    for (const d of [f.dir, join(f.dir, "hosts")]) chmodSync(d, 0o755);
    chmodSync(f.roots.get("pi1")!, 0o777);
    const pb = playbook(
      "play-become.yml",
      `- hosts: pi1
  gather_facts: false
  become: yes
  become_user: nobody
  environment: { GREETING: hello }
  tasks:
    - shell: echo "$(id -un) $GREETING" > {{ root }}/play-become
    - shell: id -un > {{ root }}/step-override
      become: false
`,
    );
    const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(f.roots.get("pi1")!, "play-become"), "utf8")).toBe("nobody hello\n");
    expect(readFileSync(join(f.roots.get("pi1")!, "step-override"), "utf8")).toBe(`${userInfo().username}\n`);
  });
});
