import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyAction } from "../../src/engine/actions/copy.js";
import { type ActionContext, ActionFailure } from "../../src/engine/actions/types.js";
import { localFs } from "../../src/engine/io/fs.js";
import { args, listDir, makeContext, tempDir } from "./support.js";

async function setup(overrides: Partial<ActionContext> = {}) {
  const dir = await tempDir();
  const ctx = makeContext(dir, overrides);
  const run = (raw: Record<string, unknown>) => copyAction.run(args(copyAction, raw), ctx);
  const plan = (raw: Record<string, unknown>) => copyAction.plan(args(copyAction, raw), ctx);
  return { dir, run, plan };
}

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

describe("copy", () => {
  it("writes content, then is idempotent without touching the file", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "app.conf");
    const first = await run({ content: "port: 8080\n", dest, mode: "0640" });
    expect(first).toEqual({
      changed: true,
      dest,
      checksum: sha("port: 8080\n"),
      size: 11,
      mode: "0640",
      diff: `--- a${dest}\n+++ b${dest}\n@@ -0,0 +1,1 @@\n+port: 8080\n`,
    });
    const before = await stat(dest);
    expect(await run({ content: "port: 8080\n", dest, mode: "0640" })).toEqual({
      changed: false,
      dest,
      checksum: sha("port: 8080\n"),
      size: 11,
      mode: "0640",
    });
    expect((await stat(dest)).mtimeMs).toBe(before.mtimeMs);
    expect((await stat(dest)).ino).toBe(before.ino);
    expect(await listDir(dir)).toEqual(["app.conf"]);
  });

  it("treats a mode-only difference as a change and keeps the content", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "run.sh");
    await writeFile(dest, "echo hi\n", { mode: 0o644 });
    const ino = (await stat(dest)).ino;
    expect(await run({ content: "echo hi\n", dest, mode: "0755", backup: true })).toEqual({
      changed: true,
      dest,
      checksum: sha("echo hi\n"),
      size: 8,
      mode: "0755",
    });
    expect((await stat(dest)).ino).toBe(ino);
    expect(await listDir(dir)).toEqual(["run.sh"]);
  });

  it("keeps an existing file's mode when none is given", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "run.sh");
    await writeFile(dest, "old\n");
    await chmod(dest, 0o750);
    expect(await run({ content: "new\n", dest })).toMatchObject({ changed: true, mode: "0750" });
    expect((await stat(dest)).mode & 0o7777).toBe(0o750);
  });

  it("copies src relative to baseDir, into a directory under its own name", async () => {
    const { dir, run } = await setup();
    await mkdir(join(dir, "files"));
    await writeFile(join(dir, "files", "mesh.yaml"), "mesh\n");
    await mkdir(join(dir, "out"));
    expect(await run({ src: "files/mesh.yaml", dest: join(dir, "out") })).toMatchObject({
      changed: true,
      dest: join(dir, "out", "mesh.yaml"),
    });
    // A dest ending in / is a directory, created if needed.
    expect(await run({ src: "files/mesh.yaml", dest: `${join(dir, "new")}/` })).toMatchObject({
      dest: join(dir, "new", "mesh.yaml"),
    });
    expect(await readFile(join(dir, "new", "mesh.yaml"), "utf8")).toBe("mesh\n");
  });

  it("fails clearly on a missing src or a missing destination directory", async () => {
    const { dir, run } = await setup();
    await expect(run({ src: "nope.txt", dest: join(dir, "x") })).rejects.toThrow(
      `src ${join(dir, "nope.txt")} does not exist`,
    );
    await expect(run({ content: "x", dest: join(dir, "no", "x") })).rejects.toThrow(
      `destination directory ${join(dir, "no")} does not exist`,
    );
    expect(await listDir(dir)).toEqual([]);
  });

  it("keeps a backup of the old content only when the content changes", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "mesh.cfg");
    await writeFile(dest, "v1\n");
    const result = await run({ content: "v2\n", dest, backup: true });
    const backup = String(result.backup_file);
    expect(backup).toMatch(/mesh\.cfg\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(await readFile(backup, "utf8")).toBe("v1\n");
    expect(await readFile(dest, "utf8")).toBe("v2\n");
    expect(await run({ content: "v2\n", dest, backup: true })).not.toHaveProperty("backup_file");
    expect(await listDir(dir)).toHaveLength(2);
  });

  it("with force: false leaves existing content alone", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "token");
    await writeFile(dest, "mine\n");
    expect(await run({ content: "theirs\n", dest, force: false })).toMatchObject({ changed: false });
    expect(await readFile(dest, "utf8")).toBe("mine\n");
    expect(await run({ content: "x\n", dest: join(dir, "fresh"), force: false })).toMatchObject({ changed: true });
  });

  it("writes through a symlinked dest, so the link survives", async () => {
    const { dir, run } = await setup();
    await writeFile(join(dir, "real.conf"), "old\n");
    await symlink("real.conf", join(dir, "link.conf"));
    expect(await run({ content: "new\n", dest: join(dir, "link.conf") })).toMatchObject({ changed: true });
    expect(await readFile(join(dir, "real.conf"), "utf8")).toBe("new\n");
    expect(await run({ content: "new\n", dest: join(dir, "link.conf") })).toMatchObject({ changed: false });
  });

  it("leaves no temporary file when the write itself fails", async () => {
    // The dest turns into a directory between the check and the write: the rename fails.
    const dir = await tempDir();
    const dest = join(dir, "busy");
    await mkdir(dest);
    const fs = { ...localFs, stat: async (p: string) => (p === dest ? undefined : localFs.stat(p)) };
    const ctx = makeContext(dir, { fs });
    const failure = await copyAction.run(args(copyAction, { content: "x", dest }), ctx).catch((e) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toMatch(new RegExp(`^cannot write ${dest}: .*\\((EISDIR|ENOTEMPTY|EEXIST)\\)$`));
    expect(await listDir(dir)).toEqual(["busy"]);
  });

  it.skipIf(process.getuid?.() === 0)("leaves no temporary file in a read-only directory", async () => {
    const { dir, run } = await setup();
    const ro = join(dir, "ro");
    await mkdir(ro, { mode: 0o555 });
    await expect(run({ content: "x", dest: join(ro, "f") })).rejects.toThrow("permission denied (EACCES)");
    expect(await listDir(ro)).toEqual([]);
  });

  it.each([
    [{ dest: "/x" }, "copy needs exactly one of src or content"],
    [{ src: "a", content: "b", dest: "/x" }, "copy needs exactly one of src or content"],
    [{ content: "b", dest: "/x", mode: "rw" }, 'invalid mode "rw"'],
    [{ content: "b", dest: "/x", bakup: true }, "Unrecognized key"],
  ])("rejects %j", (raw, message) => {
    const r = copyAction.schema.safeParse(raw);
    expect(r.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });
});
