import { createHash } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockinfileAction } from "../../src/engine/actions/blockinfile.js";
import { fetchAction } from "../../src/engine/actions/fetch.js";
import type { ActionContext } from "../../src/engine/actions/types.js";
import { args, makeContext, tempDir } from "./support.js";

async function setup(overrides: Partial<ActionContext> = {}) {
  const dir = await tempDir();
  const ctx = makeContext(dir, overrides);
  return {
    dir,
    ctx,
    block: (raw: Record<string, unknown>) => blockinfileAction.run(args(blockinfileAction, raw), ctx),
    planBlock: (raw: Record<string, unknown>) => blockinfileAction.plan(args(blockinfileAction, raw), ctx),
  };
}

describe("blockinfile", () => {
  it("inserts a marked block at EOF, replaces it in place, then is ok; empty block removes it", async () => {
    const { dir, block, planBlock } = await setup();
    const path = join(dir, "hosts");
    await writeFile(path, "127.0.0.1 localhost");
    const p = await planBlock({ path, block: "10.0.0.1 pi1\n10.0.0.2 pi2\n" });
    expect(p.willChange).toBe(true);
    expect(p.diff).toContain("+# BEGIN ANSIBLE MANAGED BLOCK\n+10.0.0.1 pi1\n");
    expect(await readFile(path, "utf8")).toBe("127.0.0.1 localhost");
    expect(await block({ path, block: "10.0.0.1 pi1\n10.0.0.2 pi2\n" })).toMatchObject({
      changed: true,
      msg: "Block inserted",
    });
    const want =
      "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 pi1\n10.0.0.2 pi2\n# END ANSIBLE MANAGED BLOCK\n";
    expect(await readFile(path, "utf8")).toBe(want);
    expect((await block({ path, block: "10.0.0.1 pi1\n10.0.0.2 pi2\n" })).changed).toBe(false);
    await writeFile(path, `${want}tail\n`);
    await block({ path, content: "10.0.0.3 pi3" });
    expect(await readFile(path, "utf8")).toBe(
      "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.3 pi3\n# END ANSIBLE MANAGED BLOCK\ntail\n",
    );
    expect(await block({ path, block: "" })).toMatchObject({ changed: true, msg: "Block removed" });
    expect(await readFile(path, "utf8")).toBe("127.0.0.1 localhost\ntail\n");
  });

  it("custom markers, insertbefore a regexp and BOF, state absent, create, CRLF kept", async () => {
    const { dir, block } = await setup();
    const path = join(dir, "conf");
    await writeFile(path, "a\r\n[section]\r\nb\r\n");
    await block({ path, block: "x=1", marker: "; {mark} k3s", insertbefore: "^\\[section\\]" });
    expect(await readFile(path, "utf8")).toBe("a\r\n; BEGIN k3s\r\nx=1\r\n; END k3s\r\n[section]\r\nb\r\n");
    await block({ path, block: "top", insertbefore: "BOF", marker_begin: "START", marker_end: "STOP" });
    expect((await readFile(path, "utf8")).startsWith("# START ANSIBLE MANAGED BLOCK\r\ntop\r\n# STOP")).toBe(true);
    expect((await block({ path, marker: "; {mark} k3s", state: "absent" })).changed).toBe(true);
    expect(await readFile(path, "utf8")).not.toContain("k3s");
    const fresh = join(dir, "d", "new");
    await expect(block({ path: fresh, block: "x" })).rejects.toThrow("does not exist (set create: true");
    expect(await block({ path: fresh, block: "x", create: true })).toMatchObject({
      changed: true,
      msg: "File created",
    });
    expect(await readFile(fresh, "utf8")).toBe("# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n");
  });
});

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

describe("fetch", () => {
  it("puts the file under dest/<inventory_hostname>/<src>, changed only when the copy differs", async () => {
    const { dir } = await setup();
    const ctx = makeContext(dir, { vars: { inventory_hostname: "pi1" } });
    const src = join(dir, "remote", "k3s.yaml");
    await mkdir(join(dir, "remote"));
    await writeFile(src, "server: https://127.0.0.1:6443\n", { mode: 0o600 });
    const run = (raw: Record<string, unknown>) => fetchAction.run(args(fetchAction, raw), ctx);
    const plan = (raw: Record<string, unknown>) => fetchAction.plan(args(fetchAction, raw), ctx);
    const dest = join(dir, "out", "pi1", src);
    expect(await plan({ src, dest: "out" })).toMatchObject({
      willChange: true,
      summary: `fetch ${src} → ${dest} (new file)`,
    });
    const first = await run({ src, dest: "out" });
    expect(first).toMatchObject({
      changed: true,
      dest,
      checksum: sha1("server: https://127.0.0.1:6443\n"),
      md5sum: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(await readFile(dest, "utf8")).toBe("server: https://127.0.0.1:6443\n");
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
    expect((await run({ src, dest: "out" })).changed).toBe(false);
    expect((await plan({ src, dest: "out" })).willChange).toBe(false);
    // flat: dest is the file, or a folder when it ends with /.
    expect(await run({ src, dest: "kubeconfig", flat: true })).toMatchObject({
      changed: true,
      dest: join(dir, "kubeconfig"),
    });
    expect(await run({ src, dest: "cfg/", flat: true })).toMatchObject({ dest: join(dir, "cfg", "k3s.yaml") });
  });

  it("a missing src fails unless fail_on_missing is false; a directory src fails", async () => {
    const { dir } = await setup();
    const ctx = makeContext(dir);
    const run = (raw: Record<string, unknown>) => fetchAction.run(args(fetchAction, raw), ctx);
    await expect(run({ src: join(dir, "nope"), dest: "out" })).rejects.toThrow("does not exist, not transferring");
    expect(await run({ src: join(dir, "nope"), dest: "out", fail_on_missing: false })).toMatchObject({
      changed: false,
    });
    await expect(run({ src: dir, dest: "out" })).rejects.toThrow("is a directory");
  });
});
