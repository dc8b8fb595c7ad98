import { chmod, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import "../../src/engine/regexp-guard.js";
import { describe, expect, it } from "vitest";
import { lineinfileAction } from "../../src/engine/actions/lineinfile.js";
import { type ActionContext, ActionFailure } from "../../src/engine/actions/types.js";
import { args, makeContext, tempDir } from "./support.js";

async function setup(overrides: Partial<ActionContext> = {}) {
  const dir = await tempDir();
  const ctx = makeContext(dir, overrides);
  const run = (raw: Record<string, unknown>) => lineinfileAction.run(args(lineinfileAction, raw), ctx);
  const plan = (raw: Record<string, unknown>) => lineinfileAction.plan(args(lineinfileAction, raw), ctx);
  return { dir, run, plan };
}

const CMDLINE =
  "console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 fsck.repair=yes rootwait\n";
// The form users copy from Ansible guides.
const PI = {
  regexp: String.raw`^((?!.*\bcgroup_enable=memory\b).*)$`,
  line: String.raw`\1 cgroup_memory=1 cgroup_enable=memory`,
  backrefs: true,
};

describe("lineinfile", () => {
  it("the Pi cmdline.txt case: appends to the single line once, then is ok", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "cmdline.txt");
    await writeFile(path, CMDLINE, { mode: 0o755 });
    const p = await plan({ path, ...PI });
    expect(p.willChange).toBe(true);
    expect(p.diff).toContain(
      "+console=serial0,115200 console=tty1 root=PARTUUID=6c586e13-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_memory=1 cgroup_enable=memory\n",
    );
    expect(await readFile(path, "utf8")).toBe(CMDLINE);
    const first = await run({ path, ...PI });
    expect(first).toMatchObject({ changed: true, msg: "line replaced", path });
    const want = `${CMDLINE.trimEnd()} cgroup_memory=1 cgroup_enable=memory\n`;
    expect(await readFile(path, "utf8")).toBe(want);
    // The atomic rewrite keeps the file's mode.
    expect((await stat(path)).mode & 0o777).toBe(0o755);
    const second = await run({ path, ...PI });
    expect(second).toMatchObject({ changed: false, msg: "" });
    expect(await readFile(path, "utf8")).toBe(want);
    expect((await plan({ path, ...PI })).willChange).toBe(false);
  });

  it("the Pi case on a file without a trailing newline: the edited line gets one, as in Ansible", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "cmdline.txt");
    await writeFile(path, CMDLINE.trimEnd());
    expect((await run({ path, ...PI })).changed).toBe(true);
    // Ansible adds the newline to the replaced line: so do we (the kernel reads one line either way).
    expect(await readFile(path, "utf8")).toBe(`${CMDLINE.trimEnd()} cgroup_memory=1 cgroup_enable=memory\n`);
    expect((await run({ path, ...PI })).changed).toBe(false);
  });

  it("replaces the last line regexp matches, adds at EOF otherwise, and leaves a present line alone", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "sshd_config");
    await writeFile(path, "#PermitRootLogin yes\nPort 22\nPermitRootLogin yes\n");
    expect(await run({ path, regexp: "^PermitRootLogin", line: "PermitRootLogin no" })).toMatchObject({
      changed: true,
      msg: "line replaced",
    });
    expect(await readFile(path, "utf8")).toBe("#PermitRootLogin yes\nPort 22\nPermitRootLogin no\n");
    expect((await run({ path, regexp: "^PermitRootLogin", line: "PermitRootLogin no" })).changed).toBe(false);
    expect(await run({ path, line: "UseDNS no" })).toMatchObject({ changed: true, msg: "line added" });
    expect((await run({ path, line: "UseDNS no" })).changed).toBe(false);
    expect(await readFile(path, "utf8")).toBe("#PermitRootLogin yes\nPort 22\nPermitRootLogin no\nUseDNS no\n");
  });

  it("firstmatch, insertafter/insertbefore (regexp and BOF), search_string and state absent", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "hosts");
    await writeFile(path, "a\n# x\nb\n# x\n");
    await run({ path, line: "after-first", insertafter: "^# x", firstmatch: true });
    await run({ path, line: "before-last", insertbefore: "^# x" });
    await run({ path, line: "top", insertbefore: "BOF" });
    expect(await readFile(path, "utf8")).toBe("top\na\n# x\nafter-first\nb\nbefore-last\n# x\n");
    await run({ path, search_string: "before", line: "replaced" });
    expect(await readFile(path, "utf8")).toBe("top\na\n# x\nafter-first\nb\nreplaced\n# x\n");
    expect(await run({ path, regexp: "^# x$", state: "absent" })).toMatchObject({
      changed: true,
      msg: "2 line(s) removed",
    });
    expect(await readFile(path, "utf8")).toBe("top\na\nafter-first\nb\nreplaced\n");
    expect((await run({ path, line: "nope", state: "absent" })).changed).toBe(false);
  });

  it("a missing file fails clearly unless create; absent on a missing file is ok", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "sub", "new.conf");
    await expect(run({ path, line: "x" })).rejects.toThrow(`path ${path} does not exist (set create: true to make it)`);
    await expect(plan({ path, line: "x" })).rejects.toBeInstanceOf(ActionFailure);
    expect(await run({ path, line: "x", state: "absent" })).toMatchObject({ changed: false });
    expect(await run({ path, line: "x", create: true, mode: "0600" })).toMatchObject({ changed: true, mode: "0600" });
    expect(await readFile(path, "utf8")).toBe("x\n");
  });

  it("CRLF files keep CRLF; a symlinked path is edited where it points; backup keeps the old bytes", async () => {
    const { dir, run } = await setup();
    const real = join(dir, "real.ini");
    await writeFile(real, "[a]\r\nk=1\r\n");
    await chmod(real, 0o640);
    const link = join(dir, "link.ini");
    await symlink(real, link);
    const r = await run({ path: link, regexp: "^k=", line: "k=2", backup: true });
    expect(r.changed).toBe(true);
    expect(r.backup_file).toMatch(/real\.ini\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(await readFile(String(r.backup_file), "utf8")).toBe("[a]\r\nk=1\r\n");
    await run({ path: link, line: "z=3" });
    expect(await readFile(real, "utf8")).toBe("[a]\r\nk=2\r\nz=3\r\n");
    expect((await stat(link, { bigint: false })).isFile()).toBe(true);
    expect((await stat(real)).mode & 0o777).toBe(0o640);
    expect((await readdir(dir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("Python's named groups and \\g<name> work; a backrefs miss changes nothing", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "f");
    await writeFile(path, "opts=a b\n");
    await run({ path, regexp: "^opts=(?P<v>.*)$", line: "opts=\\g<v> c", backrefs: true });
    expect(await readFile(path, "utf8")).toBe("opts=a b c\n");
    expect((await run({ path, regexp: "^nomatch=(.*)$", line: "\\1", backrefs: true })).changed).toBe(false);
    expect(await readFile(path, "utf8")).toBe("opts=a b c\n");
  });

  it("hides the content of a no_log step in the plan and result", async () => {
    const { dir, run, plan } = await setup({ noLog: true });
    const path = join(dir, "env");
    await writeFile(path, "A=1\n");
    const p = await plan({ path, regexp: "^TOKEN=", line: "TOKEN=s3cret" });
    expect(p.diff).toBeUndefined();
    expect(JSON.stringify(p)).not.toContain("s3cret");
    const r = await run({ path, regexp: "^TOKEN=", line: "TOKEN=s3cret" });
    expect(JSON.stringify(r)).not.toContain("s3cret");
  });

  it("a catastrophic regexp does not hang: regexp-guard's linear engine takes over", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "f");
    await writeFile(path, `${"a".repeat(40)}b\n`);
    expect(await run({ path, regexp: "^(a+)+$", line: "x" })).toMatchObject({ changed: true, msg: "line added" });
  });

  it("rejects bad arguments", () => {
    const bad = (raw: unknown) => lineinfileAction.schema.safeParse(raw).error?.issues[0]?.message;
    expect(bad({ line: "x" })).toBe("lineinfile needs path");
    expect(bad({ path: "/x" })).toBe("lineinfile with state present needs line");
    expect(bad({ path: "/x", line: "y", backrefs: true })).toBe("backrefs: true needs regexp");
    expect(bad({ path: "/x", line: "y", regexp: "a", search_string: "b" })).toBe(
      "lineinfile takes regexp or search_string, not both",
    );
  });
});
