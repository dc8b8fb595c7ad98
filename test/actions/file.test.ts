import { lstat, mkdir, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileAction } from "../../src/engine/actions/file.js";
import { ActionFailure } from "../../src/engine/actions/types.js";
import { args, listDir, makeContext, tempDir } from "./support.js";

async function setup() {
  const dir = await tempDir();
  const ctx = makeContext(dir);
  const run = (raw: Record<string, unknown>) => fileAction.run(args(fileAction, raw), ctx);
  const plan = (raw: Record<string, unknown>) => fileAction.plan(args(fileAction, raw), ctx);
  return { dir, run, plan };
}

const permissions = async (path: string) => (await stat(path)).mode & 0o7777;

describe("file state: file", () => {
  it("adjusts the mode of an existing file, then reports no change", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "f");
    await writeFile(path, "x", { mode: 0o644 });
    expect((await plan({ path, mode: "0755" })).summary).toBe(`chmod ${path} (mode 0644 → 0755)`);
    expect(await run({ path, mode: "0755" })).toEqual({ changed: true, path, state: "file", mode: "0755" });
    expect(await permissions(path)).toBe(0o755);
    expect(await run({ path, mode: "0755" })).toMatchObject({ changed: false });
    expect(await plan({ path, mode: "0755" })).toMatchObject({ summary: `${path} (no change)`, willChange: false });
  });

  it("fails on a missing file and never creates it", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "missing");
    await expect(run({ path })).rejects.toThrow(`file ${path} does not exist (state: file never creates files`);
    expect(await listDir(dir)).toEqual([]);
    expect(await plan({ path })).toMatchObject({
      willChange: undefined,
      details: [expect.stringContaining("does not exist")],
    });
  });

  it("fails on a directory", async () => {
    const { dir, run } = await setup();
    await expect(run({ path: dir, state: "file" })).rejects.toThrow(`${dir} is a directory, not a file`);
  });
});

describe("file state: directory", () => {
  it("creates parents, applies mode to the leaf, and is idempotent", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "a", "b", "c");
    expect((await plan({ path, state: "directory", mode: "0700" })).summary).toBe(
      `create directory ${path} (mode 0700)`,
    );
    expect(await run({ path, state: "directory", mode: "0700" })).toMatchObject({ changed: true, mode: "0700" });
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(await permissions(path)).toBe(0o700);
    expect(await run({ path, state: "directory", mode: "0700" })).toMatchObject({ changed: false });
  });

  it("changes only the mode of an existing directory", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "d");
    await mkdir(path, { mode: 0o755 });
    expect(await run({ path, state: "directory", mode: "0750" })).toMatchObject({ changed: true, mode: "0750" });
    expect(await run({ path, state: "directory" })).toMatchObject({ changed: false });
  });

  it("fails when a file is in the way", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "f");
    await writeFile(path, "x");
    await expect(run({ path, state: "directory" })).rejects.toThrow(`${path} exists and is a file, not a directory`);
  });
});

describe("file state: absent", () => {
  it("removes a tree, then reports no change", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "tree");
    await mkdir(join(path, "sub"), { recursive: true });
    await writeFile(join(path, "sub", "f"), "x");
    expect((await plan({ path, state: "absent" })).summary).toBe(`remove ${path} (directory)`);
    expect(await run({ path, state: "absent" })).toEqual({ changed: true, path, state: "absent" });
    expect(await listDir(dir)).toEqual([]);
    expect(await run({ path, state: "absent" })).toMatchObject({ changed: false });
  });

  it("removes a symlink, not what it points to", async () => {
    const { dir, run } = await setup();
    await writeFile(join(dir, "target"), "x");
    await symlink("target", join(dir, "link"));
    expect(await run({ path: join(dir, "link"), state: "absent" })).toMatchObject({ changed: true });
    expect(await listDir(dir)).toEqual(["target"]);
  });
});

describe("file state: touch", () => {
  it("creates a missing file with the mode and is always changed", async () => {
    const { dir, run, plan } = await setup();
    const path = join(dir, "t");
    expect((await plan({ path, state: "touch", mode: "0600" })).summary).toBe(`touch ${path} (new file, mode 0600)`);
    expect(await run({ path, state: "touch", mode: "0600" })).toMatchObject({ changed: true, mode: "0600" });
    expect(await permissions(path)).toBe(0o600);
    expect(await run({ path, state: "touch", mode: "0600" })).toMatchObject({ changed: true });
    expect(await listDir(dir)).toEqual(["t"]);
  });
});

describe("file state: link", () => {
  it("creates a link, keeps it, and repoints it", async () => {
    const { dir, run, plan } = await setup();
    await writeFile(join(dir, "v1"), "1");
    await writeFile(join(dir, "v2"), "2");
    const path = join(dir, "current");
    expect((await plan({ path, state: "link", src: "v1" })).summary).toBe(`link ${path} → v1`);
    expect(await run({ path, state: "link", src: "v1" })).toEqual({ changed: true, path, state: "link", src: "v1" });
    expect(await readlink(path)).toBe("v1");
    expect(await run({ path, state: "link", src: "v1" })).toMatchObject({ changed: false });
    expect((await plan({ path, state: "link", src: "v2" })).summary).toBe(`relink ${path} → v2 (was v1)`);
    expect(await run({ path, state: "link", src: "v2" })).toMatchObject({ changed: true });
    expect(await readlink(path)).toBe("v2");
    expect(await listDir(dir)).toEqual(["current", "v1", "v2"]);
  });

  it("refuses to replace a file unless forced, and a missing src unless forced", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "f");
    await writeFile(path, "x");
    await writeFile(join(dir, "v1"), "1");
    await expect(run({ path, state: "link", src: "v1" })).rejects.toThrow(
      `refusing to replace the file ${path} with a link (set force: true)`,
    );
    expect(await run({ path, state: "link", src: "v1", force: true })).toMatchObject({ changed: true });
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    const other = join(dir, "later");
    await expect(run({ path: other, state: "link", src: "nowhere" })).rejects.toThrow(
      `link src ${join(dir, "nowhere")} does not exist (set force: true to link anyway)`,
    );
    expect(await run({ path: other, state: "link", src: "nowhere", force: true })).toMatchObject({ changed: true });
  });

  it("fails as an ActionFailure, not a crash, when the parent is missing", async () => {
    const { dir, run } = await setup();
    await writeFile(join(dir, "v1"), "1");
    const failure = await run({ path: join(dir, "no", "link"), state: "link", src: join(dir, "v1") }).catch((e) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toBe(`cannot create link ${join(dir, "no", "link")}: no such file or directory (ENOENT)`);
  });
});

describe("file arguments", () => {
  it.each([
    [{ path: "/x", state: "link" }, "state: link needs src"],
    [{ path: "/x", src: "/y" }, "src is only used with state: link"],
    [{ path: "/x", state: "link", src: "/y", mode: "0644" }, "mode is not used with state: link"],
    [{ path: "/x", state: "present" }, "Invalid option"],
    [{ path: "/x", mdoe: "0644" }, "Unrecognized key"],
  ])("rejects %j", (raw, message) => {
    const r = fileAction.schema.safeParse(raw);
    expect(r.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });
});
