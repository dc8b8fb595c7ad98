import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fileAction } from "../../src/engine/actions/file.js";
import { extract } from "../../src/engine/io/archive.js";
import { download } from "../../src/engine/io/download.js";
import { localFs } from "../../src/engine/io/fs.js";
import { makeContext } from "../actions/support.js";
import { makeTar } from "../support/archives.js";
import { ReleaseServer } from "../support/release-server.js";
import { listTree, tempDir } from "../support/tmp.js";

let server: ReleaseServer;
let dir: string;
let cleanup: () => Promise<void>;
const fast = { retryDelayMs: 1, env: {} };

beforeEach(async () => {
  server = await ReleaseServer.start();
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await server.close();
  await cleanup();
});

/** A sink that takes the first chunk, then fails as a full disk, quota or read-only mount would. */
function failingSink(code: string): () => Writable {
  return () =>
    new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error(`${code}: simulated`), { code }));
      },
    });
}

describe("local errors during a download are not retried and are named as such", () => {
  it.skipIf(!existsSync("/dev/full"))("a full disk (/dev/full: a real ENOSPC from the kernel)", async () => {
    const f = server.addFile("tool", Buffer.alloc(256 * 1024, 7));
    const dest = join(dir, "tool");
    const err = await download({ ...fast, url: f.url, dest, sink: () => createWriteStream("/dev/full") }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^GET ${f.url}: local error, not retried: cannot write .*tool.*: no space left on device \\(ENOSPC\\)$`,
      ),
    );
    expect((err as Error).message).not.toContain("truncated");
    expect(server.requests("tool")).toBe(1);
    expect(await listTree(dir)).toEqual([]);
  });

  it.each([
    ["EDQUOT", "disk quota exceeded (EDQUOT)"],
    ["EROFS", "read-only file system (EROFS)"],
  ])("%s", async (code, reason) => {
    const f = server.addFile("tool", Buffer.alloc(64 * 1024, 7));
    const err = await download({ ...fast, url: f.url, dest: join(dir, "tool"), sink: failingSink(code) }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toContain(`local error, not retried: cannot write`);
    expect((err as Error).message).toContain(reason);
    expect(server.requests("tool")).toBe(1);
  });
});

// A real read-only mount needs root (CI containers and this machine run tests as root; elsewhere it is skipped).
const ro = "/tmp/runbook-test-readonly";
const canMount = (() => {
  if (process.getuid?.() !== 0 || process.platform !== "linux") return false;
  spawnSync("mkdir", ["-p", ro]);
  spawnSync("umount", [ro]);
  return spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro]).status === 0;
})();

describe.skipIf(!canMount)("a read-only mount is reported as read-only, not as a missing file", () => {
  afterAll(() => {
    spawnSync("umount", [ro]);
  });
  beforeAll(async () => {
    await mkdir(ro, { recursive: true });
  });

  it("mkdir -p below it", async () => {
    await expect(localFs.mkdir(join(ro, "a", "b"))).rejects.toMatchObject({ code: "EROFS" });
  });

  it("file: state=directory", async () => {
    const ctx = makeContext(dir);
    await expect(
      fileAction.run(fileAction.schema.parse({ path: join(ro, "d"), state: "directory" }), ctx),
    ).rejects.toThrow(`cannot create directory ${join(ro, "d")}: read-only file system (EROFS)`);
  });

  it("unarchive into it", async () => {
    const src = join(dir, "a.tar");
    await writeFile(src, makeTar([{ path: "x", body: "x" }]));
    await expect(extract({ src, dest: join(ro, "out") })).rejects.toThrow(/EROFS/);
  });

  it("download into it", async () => {
    const f = server.addFile("tool", "x");
    const err = await download({ ...fast, url: f.url, dest: join(ro, "sub", "tool") }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `download ${f.url}: local error: cannot create directory ${join(ro, "sub")}: read-only file system (EROFS)`,
    );
    expect((err as Error).message).not.toContain("ENOENT");
    expect(server.requests("tool")).toBe(0);
  });
});
