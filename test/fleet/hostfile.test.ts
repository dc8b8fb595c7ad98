import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { sshdMissing, startFleet, type TestFleet } from "../support/sshd/index.js";

const missing = sshdMissing();
const CMDLINE = "console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 rootwait\n";

describe.skipIf(missing !== undefined)(
  `lineinfile, blockinfile and fetch over real sshd hosts${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let f: TestFleet;
    beforeAll(async () => {
      f = await startFleet(["pi1", "pi2"]);
    });
    afterAll(async () => {
      await f?.stop();
    });
    const root = (h: string) => f.roots.get(h) ?? "";

    it("edits cmdline.txt once on each host, adds a block, fetches into dest/<host>/...; the second run changes nothing", () => {
      for (const h of ["pi1", "pi2"]) writeFileSync(join(root(h), "cmdline.txt"), CMDLINE);
      for (const h of ["pi1", "pi2"])
        writeFileSync(join(root(h), "k3s.yaml"), `server: https://${h}:6443\n`, { mode: 0o600 });
      const pb = join(f.dir, "hostfile.yml");
      writeFileSync(
        pb,
        String.raw`- hosts: all
  tasks:
    - name: cgroups
      lineinfile:
        path: "{{ root }}/cmdline.txt"
        regexp: '^((?!.*\bcgroup_enable=memory\b).*)$'
        line: '\1 cgroup_memory=1 cgroup_enable=memory'
        backrefs: true
    - name: hosts block
      blockinfile:
        path: "{{ root }}/hosts"
        create: true
        block: "10.0.0.1 server"
    - name: kubeconfig
      fetch:
        src: "{{ root }}/k3s.yaml"
        dest: fetched
`,
      );
      const first = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      for (const h of ["pi1", "pi2"]) {
        expect(readFileSync(join(root(h), "cmdline.txt"), "utf8")).toBe(
          `${CMDLINE.trimEnd()} cgroup_memory=1 cgroup_enable=memory\n`,
        );
        expect(readFileSync(join(root(h), "hosts"), "utf8")).toBe(
          "# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 server\n# END ANSIBLE MANAGED BLOCK\n",
        );
        // The copy is the host's own file, under the host's name, private as its source.
        const copy = join(f.dir, "fetched", h, root(h), "k3s.yaml");
        expect(readFileSync(copy, "utf8")).toBe(`server: https://${h}:6443\n`);
        expect(statSync(copy).mode & 0o777).toBe(0o600);
        expect(first.stdout).toMatch(new RegExp(`^${h} \\| recap +done ok=0 changed=3`, "m"));
      }
      const plan = runCli(["plan", pb, "-i", f.inventory]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).not.toMatch(/^[-+]console/m);
      const second = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      expect(second.code).toBe(0);
      for (const h of ["pi1", "pi2"])
        expect(second.stdout).toMatch(new RegExp(`^${h} \\| recap +done ok=3 changed=0`, "m"));
      expect(readFileSync(join(root("pi1"), "cmdline.txt"), "utf8").match(/cgroup_enable=memory/g)).toHaveLength(1);
      // Three CLI runs against two hosts: on a loaded 2-core machine that is more than the default 20 s.
    }, 90_000);

    it("the plan shows the diff over SSH and writes nothing; become_user edits as that user", () => {
      const file = join(root("pi2"), "owned.conf");
      writeFileSync(file, "a=1\n", { mode: 0o600 });
      const nobody = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }));
      chownSync(file, nobody, nobody);
      // nobody cannot write into root's folder: let it, for this test only.
      for (const d of [f.dir, join(f.dir, "hosts")]) chmodSync(d, 0o755);
      chmodSync(root("pi2"), 0o777);
      const pb = join(f.dir, "become.yml");
      writeFileSync(
        pb,
        `- hosts: pi2
  tasks:
    - lineinfile: { path: "{{ root }}/owned.conf", regexp: "^a=", line: "a=2", backup: true }
      become: true
      become_user: nobody
      register: edit
    - print: "backup {{ edit.backup_file }}"
    - fetch: { src: "{{ root }}/owned.conf", dest: become-fetched/, flat: true }
      become: true
      become_user: nobody
`,
      );
      const plan = runCli(["plan", pb, "-i", f.inventory]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain("-a=1");
      expect(plan.stdout).toContain("+a=2");
      expect(readFileSync(file, "utf8")).toBe("a=1\n");
      const r = runCli(["apply", pb, "-i", f.inventory, "-o", "plain"]);
      expect(r.code).toBe(0);
      expect(readFileSync(file, "utf8")).toBe("a=2\n");
      // Written by nobody through sudo: the file is nobody's and keeps its mode.
      expect(statSync(file).uid).toBe(nobody);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const backup = /backup (\S+owned\.conf\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~)/.exec(r.stdout)?.[1];
      expect(backup).toBeDefined();
      expect(readFileSync(backup ?? "", "utf8")).toBe("a=1\n");
      // fetch reads through sudo as nobody too; flat with a trailing / puts it in that folder.
      expect(readFileSync(join(f.dir, "become-fetched", "owned.conf"), "utf8")).toBe("a=2\n");
    }, 90_000);
  },
);
