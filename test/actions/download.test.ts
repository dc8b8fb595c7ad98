import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { downloadAction } from "../../src/engine/actions/download.js";
import { ActionFailure } from "../../src/engine/actions/types.js";
import { testContext } from "../support/action-context.js";
import { ReleaseServer } from "../support/release-server.js";
import { listTree, tempDir } from "../support/tmp.js";

let server: ReleaseServer;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  server = await ReleaseServer.start();
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await server.close();
  await cleanup();
});

const parse = (args: unknown) => downloadAction.schema.parse(args);

describe("download action: arguments", () => {
  it("normalises mode, timeout and defaults", () => {
    const a = parse({ url: "https://example.invalid/x", dest: "bin/x", mode: "0755", timeout: "5m" });
    expect(a).toMatchObject({ mode: 0o755, timeout: 300_000, retries: 3, force: false });
    expect(parse({ url: "http://h/x", dest: "x", mode: 755, timeout: 30 })).toMatchObject({
      mode: 0o755,
      timeout: 30_000,
    });
  });

  it.each([
    [{ url: "ftp://h/x", dest: "x" }, "http:// or https://"],
    [{ url: "http://h/x", dest: "x", checksum: "md5:abc" }, "sha256:<64 hex digits>"],
    [{ url: "http://h/x", dest: "x", mode: "0999" }, "invalid mode"],
    [{ url: "http://h/x", dest: "x", timeout: "soon" }, "invalid duration"],
    [{ url: "http://h/x", dest: "x", retires: 2 }, "retires"],
  ])("rejects %j", (args, message) => {
    const r = downloadAction.schema.safeParse(args);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });

  it("describes every field", () => {
    const schema = z.toJSONSchema(downloadAction.schema, { io: "input" }) as { properties: Record<string, object> };
    for (const field of ["url", "dest", "checksum", "mode", "headers", "timeout", "retries", "force"]) {
      expect(schema.properties[field], field).toHaveProperty("description");
    }
  });
});

describe("download action", () => {
  it("downloads istioctl's archive relative to the playbook, then reports ok with no request", async () => {
    const f = server.addIstioctl("1.30.4", "linux-arm64");
    const { ctx, progressCalls } = testContext(dir);
    const args = parse({ url: f.url, dest: "downloads/", checksum: `sha256:${f.checksumUrl}`, mode: "0640" });
    const first = await downloadAction.run(args, ctx);
    const dest = join(dir, "downloads", "istioctl-1.30.4-linux-arm64.tar.gz");
    expect(first).toEqual({
      changed: true,
      dest,
      checksum: `sha256:${f.sha256}`,
      size: f.size,
      msg: expect.any(String),
    });
    expect((await stat(dest)).mode & 0o777).toBe(0o640);
    expect(progressCalls.every((p) => p.message.startsWith("download istioctl-"))).toBe(true);
    const seen = server.requests();
    expect((await downloadAction.run(args, ctx)).changed).toBe(false);
    expect(server.requests()).toBe(seen);
  });

  it("fails with an ActionFailure naming the URL, leaving nothing", async () => {
    const { ctx } = testContext(dir);
    const url = server.url("1.30.4/missing.tar.gz");
    const err = await downloadAction.run(parse({ url, dest: "out.tar.gz" }), ctx).catch((e) => e);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err.message).toBe(`GET ${url}: HTTP 404 Not Found`);
    expect(await listTree(dir)).toEqual([]);
  });

  it("takes a proxy from the step environment", async () => {
    const f = server.addFile("tool", "x");
    const { ctx } = testContext(dir, { env: { HTTP_PROXY: "http://127.0.0.1:9" } });
    await expect(downloadAction.run(parse({ url: f.url, dest: "tool", retries: 0 }), ctx)).rejects.toThrow(f.url);
    expect(server.requests()).toBe(0);
  });

  it("plans without requests, and the plan matches what a run then does", async () => {
    const f = server.addFile("tool", "bytes");
    const { ctx } = testContext(dir);
    const args = parse({ url: f.url, dest: "tool", checksum: `sha256:${f.sha256}` });
    const before = await downloadAction.plan(args, ctx);
    expect(before).toMatchObject({ willChange: true, details: [`GET ${f.url}`] });
    expect(server.requests()).toBe(0);
    await downloadAction.run(args, ctx);
    expect(await readFile(join(dir, "tool"), "utf8")).toBe("bytes");
    expect(await downloadAction.plan(args, ctx)).toMatchObject({
      willChange: false,
      summary: `${join(dir, "tool")} up to date`,
    });
  });
});
