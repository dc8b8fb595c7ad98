import { mkdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planPlaybook } from "../../src/api.js";
import { fileAction } from "../../src/engine/actions/file.js";
import { ActionFailure } from "../../src/engine/actions/types.js";
import { type FsAdapter, localFs } from "../../src/engine/io/fs.js";
import { args, makeContext, tempDir } from "./support.js";

/** The real filesystem, except that removing records the path instead: a guard that fails here removes nothing. */
function recordingFs(): { fs: FsAdapter; removed: string[] } {
  const removed: string[] = [];
  return { fs: { ...localFs, remove: async (p) => void removed.push(p) }, removed };
}

describe("file state: absent refuses what is almost certainly a mistake", () => {
  it.each([
    ["/", "it is the root folder"],
    ["/usr", "/usr is a top-level folder"],
    ["/usr/", "/usr is a top-level folder"],
    ["/usr/share/..", "/usr is a top-level folder"],
    ["/tmp", "/tmp is a top-level folder"],
  ])("%s", async (path, why) => {
    const { fs, removed } = recordingFs();
    const ctx = makeContext(await tempDir(), { fs });
    const plan = await fileAction.plan(args(fileAction, { path, state: "absent" }), ctx);
    expect(plan).toMatchObject({ summary: `refuse to remove ${path}: ${why}`, willChange: undefined });
    expect(plan.details?.[0]).toContain("set force: true if you mean it");
    const err = await fileAction.run(args(fileAction, { path, state: "absent" }), ctx).catch((e) => e);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toBe(
      `refusing to remove ${path}: ${why}; if a variable in the path rendered empty, fix it, or set force: true if you mean it`,
    );
    expect(removed).toEqual([]);
  });

  it("refuses the home folder, as $HOME or the facts say it, and through a symlinked parent", async () => {
    const dir = await tempDir();
    const home = join(dir, "home", "me");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "keep"), "x");
    await symlink(join(dir, "home"), join(dir, "h"));
    for (const ctx of [
      makeContext(dir, { processEnv: { HOME: home } }),
      makeContext(dir, { vars: { facts: { home } } }),
    ]) {
      for (const path of [home, `${home}/`, join(dir, "h", "me")]) {
        await expect(fileAction.run(args(fileAction, { path, state: "absent" }), ctx)).rejects.toThrow(
          "is the home folder",
        );
      }
    }
    expect((await stat(join(home, "keep"))).isFile()).toBe(true);
  });

  it("removes the home folder with force: true, and anything below it without", async () => {
    const dir = await tempDir();
    const home = join(dir, "me");
    await mkdir(join(home, "sub"), { recursive: true });
    const ctx = makeContext(dir, { processEnv: { HOME: home } });
    expect(await fileAction.run(args(fileAction, { path: join(home, "sub"), state: "absent" }), ctx)).toMatchObject({
      changed: true,
    });
    expect(await fileAction.run(args(fileAction, { path: home, state: "absent", force: true }), ctx)).toMatchObject({
      changed: true,
    });
    await expect(stat(home)).rejects.toThrow(/ENOENT/);
  });

  it('the plan of "{{ base }}/" with an empty base shows the refusal, and nothing is removed', async () => {
    const dir = await tempDir();
    const file = join(dir, "site.yml");
    await writeFile(
      file,
      ["name: cleanup", 'vars: { base: "" }', "tasks:", '  - file: { path: "{{ base }}/", state: absent }', ""].join(
        "\n",
      ),
    );
    const { fs, removed } = recordingFs();
    const { entries } = await planPlaybook(file, { fs });
    expect(entries[0]?.info).toMatchObject({ summary: "refuse to remove /: it is the root folder" });
    expect(removed).toEqual([]);
  });
});
