import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { download } from "../../src/engine/io/download.js";
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

/** Run a download expected to fail; return its message after checking it names the URL and left nothing behind. */
async function failure(opts: Parameters<typeof download>[0], leftBehind: string[] = []): Promise<string> {
  const err = await download(opts).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err, "the download should have failed").toBeInstanceOf(Error);
  expect(err?.message).toContain(opts.url);
  expect(await listTree(dir)).toEqual(leftBehind);
  return err?.message ?? "";
}

describe("download failures", () => {
  it("does not retry a 404", async () => {
    const url = server.url("1.99.0/istioctl-1.99.0-linux-amd64.tar.gz");
    expect(await failure({ ...fast, url, dest: join(dir, "istioctl") })).toContain("HTTP 404");
    expect(server.requests("1.99.0/istioctl-1.99.0-linux-amd64.tar.gz")).toBe(1);
  });

  it("removes the directories it created for dest when it fails", async () => {
    const url = server.url("gone.tar.gz");
    await failure({ ...fast, url, dest: join(dir, "downloads", "1.30.4", "gone.tar.gz") });
  });

  it("retries a 500 and then succeeds", async () => {
    const f = server.addFile("tool", "eventually");
    server.fault("tool", { kind: "status", status: 500, times: 2 });
    const r = await download({ ...fast, url: f.url, dest: join(dir, "tool"), checksum: `sha256:${f.sha256}` });
    expect(r).toMatchObject({ changed: true, attempts: 3 });
    expect(server.requests("tool")).toBe(3);
  });

  it("gives up after the retries, saying how many attempts it made", async () => {
    const f = server.addFile("tool", "never");
    server.fault("tool", { kind: "status", status: 503 });
    const msg = await failure({ ...fast, retries: 2, url: f.url, dest: join(dir, "tool") });
    expect(msg).toMatch(/HTTP 503.*after 3 attempts/);
    expect(server.requests("tool")).toBe(3);
  });

  it("times out a stalled body and cleans up", async () => {
    const f = server.addFile("tool", "x".repeat(1000));
    server.fault("tool", { kind: "stall" });
    const msg = await failure({ ...fast, retries: 1, stallTimeoutMs: 300, url: f.url, dest: join(dir, "tool") });
    expect(msg).toMatch(/timed out after 0\.3s/);
    expect(server.requests("tool")).toBe(2);
  });

  it("enforces the whole-attempt timeout on a slow body", async () => {
    const f = server.addFile("tool", Buffer.alloc(64 * 1024));
    server.fault("tool", { kind: "slow", chunkBytes: 1024, delayMs: 50 });
    const msg = await failure({ ...fast, retries: 0, timeoutMs: 400, url: f.url, dest: join(dir, "tool") });
    expect(msg).toContain("timed out after 0.4s");
  });

  it("reports a truncated body with the byte counts", async () => {
    const f = server.addFile("tool", Buffer.alloc(10_000, 1));
    server.fault("tool", { kind: "truncate", bytes: 4000 });
    const msg = await failure({ ...fast, retries: 1, url: f.url, dest: join(dir, "tool") });
    expect(msg).toContain("truncated body: got 4000 of 10000 bytes");
    expect(server.requests("tool")).toBe(2);
  });

  it("leaves an existing dest untouched when the replacement fails", async () => {
    const f = server.addFile("tool", "new");
    server.fault("tool", { kind: "status", status: 500 });
    await writeFile(join(dir, "tool"), "old");
    await failure({ ...fast, retries: 0, url: f.url, dest: join(dir, "tool"), checksum: `sha256:${f.sha256}` }, [
      "tool",
    ]);
  });

  it("follows redirects, as release hosts use", async () => {
    const f = server.addFile("real/tool", "moved");
    server.fault("tool", { kind: "redirect", to: f.url });
    const r = await download({
      ...fast,
      url: server.url("tool"),
      dest: join(dir, "tool"),
      checksum: `sha256:${f.sha256}`,
    });
    expect(r.changed).toBe(true);
  });

  it("fails clearly when the checksum file itself is missing", async () => {
    const f = server.addFile("tool", "x", { checksumFile: false });
    const msg = await failure({ ...fast, url: f.url, dest: join(dir, "tool"), checksum: `sha256:${f.url}.sha256` });
    expect(msg).toContain(`GET ${f.url}.sha256: HTTP 404`);
  });

  it("uses HTTP_PROXY and NO_PROXY from the given environment, not this process's", async () => {
    // Port 9 on loopback has no listener: a request sent to that "proxy" fails fast.
    const f = server.addFile("tool", "direct");
    const proxy = { HTTP_PROXY: "http://127.0.0.1:9" };
    const through = failure({ ...fast, retries: 0, env: proxy, url: f.url, dest: join(dir, "tool") });
    expect(await through).toContain(f.url);
    expect(server.requests("tool")).toBe(0);
    const bypass = { ...proxy, NO_PROXY: "127.0.0.1" };
    await download({ ...fast, retries: 0, env: bypass, url: f.url, dest: join(dir, "tool") });
    expect(server.requests("tool")).toBe(1);
  });
});
