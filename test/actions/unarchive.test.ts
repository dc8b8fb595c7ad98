import { randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { downloadAction } from "../../src/engine/actions/download.js";
import { ActionFailure } from "../../src/engine/actions/types.js";
import { unarchiveAction } from "../../src/engine/actions/unarchive.js";
import { testContext } from "../support/action-context.js";
import { makeTar, makeZip } from "../support/archives.js";
import { ReleaseServer } from "../support/release-server.js";
import { listTree, tempDir } from "../support/tmp.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const parse = (args: unknown) => unarchiveAction.schema.parse(args);

describe("unarchive action", () => {
  it("accepts include as a string or a list, and mode as a string", () => {
    expect(parse({ src: "a", dest: "b", include: "bin/*", mode: "0755" })).toMatchObject({
      include: ["bin/*"],
      mode: 0o755,
      strip_components: 0,
    });
    expect(unarchiveAction.schema.safeParse({ src: "a", dest: "b", strip: 1 }).success).toBe(false);
  });

  it.each([
    [1000, 1000],
    ["500MiB", 500 * 1024 ** 2],
    ["2 GiB", 2 * 1024 ** 3],
    ["1.5G", 1.5 * 1024 ** 3],
    ["10MB", 10_000_000],
  ])("reads max_size %j as %d bytes", (given, bytes) => {
    expect(parse({ src: "a", dest: "b", max_size: given }).max_size).toBe(bytes);
  });

  it.each(["lots", "0", "5 parsecs", "-1MiB"])("refuses max_size %j", (given) => {
    const r = unarchiveAction.schema.safeParse({ src: "a", dest: "b", max_size: given });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain("invalid size");
  });

  it("plans a bomb as a failure naming max_size, and the run writes nothing", async () => {
    await writeFile(join(dir, "bomb.tgz"), makeTar([{ path: "zeros", body: randomBytes(3 * 1024 ** 2) }]));
    const { ctx } = testContext(dir);
    const args = parse({ src: "bomb.tgz", dest: "out", max_size: "1MiB" });
    const plan = await unarchiveAction.plan(args, ctx);
    expect(plan.summary).toMatch(/would fail: .*more than max_size \(1 MiB\) by entry "zeros"/);
    await expect(unarchiveAction.run(args, ctx)).rejects.toThrow(/more than max_size \(1 MiB\)/);
    expect(await listTree(dir)).toEqual(["bomb.tgz"]);
  });

  it("drops setuid unless keep_setuid: true", async () => {
    await writeFile(join(dir, "a.tgz"), makeTar([{ path: "su", body: "x", mode: 0o4755 }]));
    const { ctx } = testContext(dir);
    await unarchiveAction.run(parse({ src: "a.tgz", dest: "plain" }), ctx);
    await unarchiveAction.run(parse({ src: "a.tgz", dest: "kept", keep_setuid: true }), ctx);
    expect((await stat(join(dir, "plain/su"))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(dir, "kept/su"))).mode & 0o7777).toBe(0o4755);
  });

  it("describes every field in the JSON Schema", () => {
    const schema = z.toJSONSchema(unarchiveAction.schema, { io: "input" }) as { properties: Record<string, object> };
    for (const field of ["src", "dest", "strip_components", "include", "creates", "mode", "max_size", "keep_setuid"]) {
      expect(schema.properties[field], field).toHaveProperty("description");
    }
  });

  it("extracts istioctl from a release archive: plan first, then run, then nothing to do", async () => {
    await writeFile(
      join(dir, "istio.tgz"),
      makeTar([
        { path: "istio-1.30.4/bin/istioctl", body: "#!/bin/sh\n", mode: 0o755 },
        { path: "istio-1.30.4/README.md", body: "readme" },
      ]),
    );
    const { ctx } = testContext(dir);
    const args = parse({ src: "istio.tgz", dest: "bin", strip_components: 2, include: ["istioctl"] });
    const plan = await unarchiveAction.plan(args, ctx);
    expect(plan).toMatchObject({ willChange: true, details: ["istioctl"] });
    expect(await listTree(dir)).toEqual(["istio.tgz"]);
    expect(await unarchiveAction.run(args, ctx)).toMatchObject({
      changed: true,
      dest: join(dir, "bin"),
      files: ["istioctl"],
    });
    expect((await stat(join(dir, "bin/istioctl"))).mode & 0o777).toBe(0o755);
    expect((await unarchiveAction.plan(args, ctx)).willChange).toBe(false);
    expect((await unarchiveAction.run(args, ctx)).changed).toBe(false);
  });

  it("skips when `creates` exists, in the plan and the run", async () => {
    await writeFile(join(dir, "a.zip"), makeZip([{ path: "x", body: "x" }]));
    await writeFile(join(dir, "marker"), "");
    const { ctx } = testContext(dir);
    const args = parse({ src: "a.zip", dest: "out", creates: "marker" });
    expect((await unarchiveAction.plan(args, ctx)).skipReason).toBe(`${join(dir, "marker")} exists`);
    expect((await unarchiveAction.run(args, ctx)).changed).toBe(false);
    expect(await listTree(dir)).toEqual(["a.zip", "marker"]);
  });

  it("plans an archive that an earlier step will download as decided at run time", async () => {
    const { ctx } = testContext(dir);
    const plan = await unarchiveAction.plan(parse({ src: "later.tar.gz", dest: "out" }), ctx);
    expect(plan.willChange).toBeUndefined();
  });

  it("fails a hostile archive with an ActionFailure and writes nothing", async () => {
    await writeFile(join(dir, "evil.tar"), makeTar([{ path: "../../escape", body: "x" }], { gzip: false }));
    const { ctx } = testContext(dir);
    const err = await unarchiveAction.run(parse({ src: "evil.tar", dest: "out" }), ctx).catch((e) => e);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toContain(`refusing to extract ${join(dir, "evil.tar")}`);
    expect(await listTree(dir)).toEqual(["evil.tar"]);
  });

  it("works end to end with download from the release stand-in, for every platform", async () => {
    const server = await ReleaseServer.start();
    try {
      for (const platform of ["linux-amd64", "linux-arm64", "osx-arm64", "win-amd64"]) {
        const f = server.addIstioctl("1.30.4", platform);
        const { ctx } = testContext(join(dir, platform));
        const dl = downloadAction.schema.parse({ url: f.url, dest: "dl/", checksum: `sha256:${f.checksumUrl}` });
        const got = await downloadAction.run(dl, ctx);
        const r = await unarchiveAction.run(parse({ src: got.dest, dest: "bin" }), ctx);
        const exe = platform.startsWith("win") ? "istioctl.exe" : "istioctl";
        expect(r.files).toEqual([exe]);
        expect(await readFile(join(dir, platform, "bin", exe), "utf8")).toContain("1.30.4");
      }
    } finally {
      await server.close();
    }
  });
});
