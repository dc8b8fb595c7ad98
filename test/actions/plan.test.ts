import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyAction } from "../../src/engine/actions/copy.js";
import { fileAction } from "../../src/engine/actions/file.js";
import { templateAction } from "../../src/engine/actions/template.js";
import { args, listDir, makeContext, tempDir } from "./support.js";

async function setup(noLog = false) {
  const dir = await tempDir();
  const ctx = makeContext(dir, { noLog, vars: { replicas: 3 } });
  const copy = (raw: Record<string, unknown>) => copyAction.plan(args(copyAction, raw), ctx);
  return { dir, ctx, copy };
}

describe("plans for file writes", () => {
  it("shows a new file as a diff from nothing", async () => {
    const { dir, copy } = await setup();
    const dest = join(dir, "new.conf");
    expect(await copy({ content: "a\nb\n", dest, mode: "0600" })).toEqual({
      summary: `write ${dest} (new file, mode 0600)`,
      diff: `--- a${dest}\n+++ b${dest}\n@@ -0,0 +1,2 @@\n+a\n+b\n`,
      details: undefined,
      willChange: true,
      data: { dest, checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), size: 4 },
    });
    expect(await listDir(dir)).toEqual([]);
  });

  it("shows changed content as a unified diff with context, and a mode change in the summary", async () => {
    const { dir, copy } = await setup();
    const dest = join(dir, "mesh.yaml");
    await writeFile(dest, "one\ntwo\nthree\nfour\nfive\nsix\nseven\n", { mode: 0o644 });
    const plan = await copy({ content: "one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n", dest, mode: "0755" });
    expect(plan.summary).toBe(`write ${dest} (content changed, mode 0644 → 0755)`);
    expect(plan.diff).toBe(
      [
        `--- a${dest}`,
        `+++ b${dest}`,
        "@@ -1,7 +1,7 @@",
        " one",
        " two",
        " three",
        "-four",
        "+FOUR",
        " five",
        " six",
        " seven",
        "",
      ].join("\n"),
    );
    expect(plan.willChange).toBe(true);
  });

  it("says mode-only and no-change plainly", async () => {
    const { dir, copy } = await setup();
    const dest = join(dir, "x");
    await writeFile(dest, "same\n", { mode: 0o644 });
    expect(await copy({ content: "same\n", dest, mode: "0755" })).toMatchObject({
      summary: `chmod ${dest} (mode 0644 → 0755)`,
      diff: undefined,
      willChange: true,
    });
    expect(await copy({ content: "same\n", dest, mode: "0644" })).toMatchObject({
      summary: `${dest} (no change)`,
      diff: undefined,
      willChange: false,
    });
  });

  it("summarises binary and large files instead of diffing them", async () => {
    const { dir, ctx } = await setup();
    const dest = join(dir, "blob");
    await writeFile(dest, Buffer.from([0, 1, 2]));
    await writeFile(join(dir, "big"), "x".repeat(300 * 1024));
    const plan = await copyAction.plan(args(copyAction, { src: "big", dest }), ctx);
    expect(plan).toMatchObject({ diff: undefined, details: ["binary/large file differs (3 bytes → 307200 bytes)"] });
  });

  it("with no_log shows no content at all", async () => {
    const { dir, copy } = await setup(true);
    const dest = join(dir, "token");
    await writeFile(dest, "old-secret-value\n");
    const plan = await copy({ content: "new-secret-value\n", dest });
    expect(plan).toMatchObject({ summary: `write ${dest} (content changed)`, diff: undefined, willChange: true });
    expect(plan.details).toEqual(["content hidden (no_log)"]);
    expect(JSON.stringify(plan)).not.toMatch(/secret/);
    const result = await copyAction.run(
      args(copyAction, { content: "new-secret-value\n", dest }),
      makeContext(dir, { noLog: true }),
    );
    expect(JSON.stringify(result)).not.toMatch(/secret/);
  });

  it("template plans render and diff without writing", async () => {
    const { dir, ctx } = await setup();
    await writeFile(join(dir, "d.hbs"), "replicas: {{ replicas }}\n");
    const dest = join(dir, "d.yaml");
    await writeFile(dest, "replicas: 1\n");
    const plan = await templateAction.plan(args(templateAction, { src: "d.hbs", dest }), ctx);
    expect(plan.diff).toBe(`--- a${dest}\n+++ b${dest}\n@@ -1,1 +1,1 @@\n-replicas: 1\n+replicas: 3\n`);
    expect(await listDir(dir)).toEqual(["d.hbs", "d.yaml"]);
  });

  it("file plans describe without changing anything", async () => {
    const { dir, ctx } = await setup();
    const path = join(dir, "gone");
    await writeFile(path, "x");
    const plan = await fileAction.plan(args(fileAction, { path, state: "absent" }), ctx);
    expect(plan).toEqual({ summary: `remove ${path} (file)`, willChange: true, details: undefined });
    expect(await listDir(dir)).toEqual(["gone"]);
  });
});
