import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { templateAction } from "../../src/engine/actions/template.js";
import { ActionFailure } from "../../src/engine/actions/types.js";
import { args, listDir, makeContext, tempDir } from "./support.js";

async function setup() {
  const dir = await tempDir();
  await mkdir(join(dir, "templates"));
  await writeFile(join(dir, "templates", "gw.yaml.hbs"), "name: {{ name }}\nport: {{ port }}\n");
  // Looked up in templates/ the way the engine's resolver does, to show the action uses it.
  const ctx = makeContext(dir, {
    vars: { name: "ingress" },
    resolveTemplate: async (src) => join(dir, "templates", src),
  });
  const run = (raw: Record<string, unknown>) => templateAction.run(args(templateAction, raw), ctx);
  const plan = (raw: Record<string, unknown>) => templateAction.plan(args(templateAction, raw), ctx);
  return { dir, run, plan };
}

describe("template", () => {
  it("renders with the step's vars plus its own, then is idempotent without touching the file", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "gw.yaml");
    const first = await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 } });
    expect(first).toMatchObject({ changed: true, dest, src: "gw.yaml.hbs", size: 24 });
    expect(await readFile(dest, "utf8")).toBe("name: ingress\nport: 443\n");
    const before = await stat(dest);
    expect(await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 } })).toMatchObject({
      changed: false,
      checksum: first.checksum,
    });
    expect((await stat(dest)).mtimeMs).toBe(before.mtimeMs);
    expect(await listDir(dir)).toEqual(["gw.yaml", "templates"]);
  });

  it("changes when the rendered bytes change, with a backup and a diff", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "gw.yaml");
    await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 } });
    const second = await run({ src: "gw.yaml.hbs", dest, vars: { port: 8443 }, backup: true });
    expect(second).toMatchObject({ changed: true });
    expect(second.diff).toBe(`--- a${dest}\n+++ b${dest}\n@@ -1,2 +1,2 @@\n name: ingress\n-port: 443\n+port: 8443\n`);
    expect(await readFile(String(second.backup_file), "utf8")).toBe("name: ingress\nport: 443\n");
  });

  it("treats a mode-only difference as a change", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "gw.yaml");
    await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 }, mode: "0644" });
    expect(await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 }, mode: "0600" })).toMatchObject({
      changed: true,
      mode: "0600",
    });
    expect(await run({ src: "gw.yaml.hbs", dest, vars: { port: 443 }, mode: "0600" })).toMatchObject({
      changed: false,
    });
  });

  it("fails on a directory dest without leaving a temporary file", async () => {
    const { dir, run } = await setup();
    const dest = join(dir, "out");
    await mkdir(dest);
    const failure = await run({ src: "gw.yaml.hbs", dest, vars: { port: 1 } }).catch((e) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toBe(`dest ${dest} exists and is not a regular file (directory)`);
    expect(await listDir(dir)).toEqual(["out", "templates"]);
    expect(await listDir(dest)).toEqual([]);
  });

  it("fails clearly when the template file is missing, and passes render errors through", async () => {
    const { dir, run } = await setup();
    await expect(run({ src: "nope.hbs", dest: join(dir, "x") })).rejects.toThrow(
      `template ${join(dir, "templates", "nope.hbs")} does not exist`,
    );
    await expect(run({ src: "gw.yaml.hbs", dest: join(dir, "x") })).rejects.toThrow("undefined variable port");
    expect(await listDir(dir)).toEqual(["templates"]);
  });
});
