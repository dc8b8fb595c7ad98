import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { download, probeDownload } from "../../src/engine/io/download.js";
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

describe("download", () => {
  it("fetches, verifies a sha256:<hex> checksum and reports the digest", async () => {
    const f = server.addFile("1.30.4/tool", "hello tool\n");
    const dest = join(dir, "tool");
    const r = await download({ ...fast, url: f.url, dest, checksum: `sha256:${f.sha256}`, mode: 0o755 });
    expect(r).toMatchObject({ changed: true, dest, checksum: `sha256:${f.sha256}`, size: 11, source: "network" });
    expect(await readFile(dest, "utf8")).toBe("hello tool\n");
    expect((await stat(dest)).mode & 0o777).toBe(0o755);
    expect(await listTree(dir)).toEqual(["tool"]);
  });

  it("fails on a checksum mismatch, naming both digests and the URL, and leaves nothing", async () => {
    const f = server.addFile("tool", "real bytes");
    const wrong = "0".repeat(64);
    const err = await download({ ...fast, url: f.url, dest: join(dir, "tool"), checksum: `sha256:${wrong}` }).catch(
      (e: Error) => e,
    );
    expect(String(err)).toContain(f.url);
    expect(String(err)).toContain(`expected sha256:${wrong}, got sha256:${f.sha256}`);
    expect(await listTree(dir)).toEqual([]);
    expect(server.requests("tool")).toBe(1);
  });

  it.each([
    ["istio's single-space form", (h: string) => `${h} istioctl.tar.gz\n`],
    ["sha256sum's two-space form", (h: string) => `${h}  istioctl.tar.gz\n`],
    ["sha256sum's binary form", (h: string) => `${h} *istioctl.tar.gz\n`],
    ["a bare digest", (h: string) => `${h}\n`],
    ["BSD form", (h: string) => `SHA256 (istioctl.tar.gz) = ${h}\n`],
    ["a multi-file list", (h: string) => `${"a".repeat(64)}  other.tar.gz\n${h}  dist/istioctl.tar.gz\n`],
  ])("reads the digest from a checksum file in %s", async (_name, format) => {
    const f = server.addFile("v1/istioctl.tar.gz", "archive bytes", { checksumFile: false });
    server.addFile("SUMS", format(f.sha256), { checksumFile: false });
    const r = await download({ ...fast, url: f.url, dest: join(dir, "out"), checksum: `sha256:${server.url("SUMS")}` });
    expect(r.checksum).toBe(`sha256:${f.sha256}`);
  });

  it("rejects a checksum file that lists other files only", async () => {
    const f = server.addFile("istioctl.tar.gz", "x", { checksumFile: false });
    server.addFile("SUMS", `${"a".repeat(64)}  one\n${"b".repeat(64)}  two\n`, { checksumFile: false });
    const p = download({ ...fast, url: f.url, dest: join(dir, "out"), checksum: `sha256:${server.url("SUMS")}` });
    await expect(p).rejects.toThrow(/checksum file .*SUMS: it lists 2 files but none named "istioctl.tar.gz"/);
    expect(server.requests("istioctl.tar.gz")).toBe(0);
  });

  it("makes no request when dest already has the right checksum", async () => {
    const f = server.addFile("tool", "same");
    const dest = join(dir, "tool");
    await writeFile(dest, "same");
    const r = await download({ ...fast, url: f.url, dest, checksum: `sha256:${f.sha256}` });
    expect(r).toMatchObject({ changed: false, source: "present" });
    expect(server.requests()).toBe(0);
  });

  it("keeps a present dest when no checksum is given, unless forced", async () => {
    const f = server.addFile("tool", "remote");
    const dest = join(dir, "tool");
    await writeFile(dest, "local");
    expect(await download({ ...fast, url: f.url, dest })).toMatchObject({ changed: false, source: "present" });
    expect(server.requests()).toBe(0);
    expect(await download({ ...fast, url: f.url, dest, force: true })).toMatchObject({ changed: true });
    expect(await readFile(dest, "utf8")).toBe("remote");
  });

  it("sets the mode of a present, correct file without fetching it", async () => {
    const f = server.addFile("tool", "same");
    const dest = join(dir, "tool");
    await writeFile(dest, "same", { mode: 0o644 });
    const r = await download({ ...fast, url: f.url, dest, checksum: `sha256:${f.sha256}`, mode: 0o755 });
    expect(r.changed).toBe(true);
    expect((await stat(dest)).mode & 0o777).toBe(0o755);
    expect(server.requests()).toBe(0);
  });

  it("re-fetches a present file with the wrong bytes, and always with force", async () => {
    const f = server.addFile("tool", "new");
    const dest = join(dir, "tool");
    await writeFile(dest, "old");
    expect((await download({ ...fast, url: f.url, dest, checksum: `sha256:${f.sha256}` })).changed).toBe(true);
    const forced = await download({ ...fast, url: f.url, dest, checksum: `sha256:${f.sha256}`, force: true });
    expect(forced).toMatchObject({ changed: false, source: "network" });
    expect(server.requests("tool")).toBe(2);
  });

  it("remembers a checksum file's digest, so a second run makes no request", async () => {
    const f = server.addFile("tool", "bytes");
    const opts = { ...fast, url: f.url, dest: join(dir, "tool"), checksum: `sha256:${f.checksumUrl}`, cacheDir: dir };
    await download(opts);
    const before = server.requests();
    expect(await download(opts)).toMatchObject({ changed: false, source: "present" });
    expect(server.requests()).toBe(before);
  });

  it("copies from the download cache without a request", async () => {
    const f = server.addFile("tool", "cached bytes");
    const cacheDir = join(dir, "cache");
    await download({ ...fast, url: f.url, dest: join(dir, "a"), checksum: `sha256:${f.sha256}`, cacheDir });
    const r = await download({ ...fast, url: f.url, dest: join(dir, "b"), checksum: `sha256:${f.sha256}`, cacheDir });
    expect(r).toMatchObject({ changed: true, source: "cache" });
    expect(await readFile(join(dir, "b"), "utf8")).toBe("cached bytes");
    expect(server.requests("tool")).toBe(1);
  });

  it("puts the file inside dest when dest is a directory", async () => {
    const f = server.addFile("1.30.4/istioctl-1.30.4-linux-arm64.tar.gz", "x");
    const r = await download({ ...fast, url: f.url, dest: `${dir}/` });
    expect(r.dest).toBe(join(dir, "istioctl-1.30.4-linux-arm64.tar.gz"));
  });

  it("reports throttled progress ending at the full size", async () => {
    const f = server.addFile("big", Buffer.alloc(3 * 1024 * 1024, 7));
    const seen: number[] = [];
    const onProgress = (got: number) => seen.push(got);
    await download({ ...fast, url: f.url, dest: join(dir, "big"), onProgress, progressIntervalMs: 0 });
    expect(seen.at(-1)).toBe(f.size);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe("probeDownload", () => {
  it("tells what a run would fetch without making a request", async () => {
    const f = server.addFile("tool", "bytes");
    const dest = join(dir, "tool");
    const missing = await probeDownload({ url: f.url, dest, checksum: `sha256:${f.checksumUrl}` });
    expect(missing).toMatchObject({ willChange: true, wouldFetch: [f.checksumUrl, f.url] });
    await writeFile(dest, "bytes");
    const present = await probeDownload({ url: f.url, dest, checksum: `sha256:${f.sha256}` });
    expect(present).toMatchObject({ willChange: false, wouldFetch: [] });
    const unknown = await probeDownload({ url: f.url, dest, checksum: `sha256:${f.checksumUrl}` });
    expect(unknown.willChange).toBeUndefined();
    expect(server.requests()).toBe(0);
    expect(await listTree(dir)).toEqual(["tool"]);
  });
});
