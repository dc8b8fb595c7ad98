import { rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ActionContext, ActionFailure } from "../../src/engine/actions/types.js";
import { waitForAction } from "../../src/engine/actions/wait-for.js";
import { formatDuration } from "../../src/engine/duration.js";
import type { ProbeAdapter } from "../../src/engine/io/probe.js";
import { args, makeContext, tempDir } from "./support.js";

const servers: (Server | HttpServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen<S extends Server | HttpServer>(server: S, port = 0): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
}

async function setup(overrides: Partial<ActionContext> = {}) {
  const dir = await tempDir();
  const ctx = makeContext(dir, overrides);
  const run = (raw: Record<string, unknown>) => waitForAction.run(args(waitForAction, raw), ctx);
  return { dir, ctx, run };
}

const fast = { sleep: "20ms", timeout: "20s" };

describe("wait_for port", () => {
  it("waits until a server starts listening", async () => {
    const { run } = await setup();
    const port = await freePort();
    setTimeout(() => void listen(createServer(), port), 150);
    expect(await run({ port, ...fast })).toMatchObject({
      changed: false,
      msg: `127.0.0.1:${port} to accept connections: ok`,
    });
  });

  it("waits until a server stops", async () => {
    const { run } = await setup();
    const server = createServer();
    const port = await listen(server);
    setTimeout(() => server.close(), 150);
    expect(await run({ port, state: "stopped", ...fast })).toMatchObject({ changed: false });
  });

  it("times out saying what it waited for, for how long, and what it last saw", async () => {
    const { run } = await setup();
    const port = await freePort();
    const failure = await run({ port, timeout: "200ms", sleep: "20ms" }).catch((e) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toBe(
      `timed out after 200ms waiting for 127.0.0.1:${port} to accept connections (last check: connect ECONNREFUSED)`,
    );
  });

  it("stops waiting when the run is interrupted", async () => {
    const controller = new AbortController();
    const { run } = await setup({ signal: controller.signal });
    const port = await freePort();
    setTimeout(() => controller.abort(), 100);
    const failure = await run({ port, timeout: "5m", sleep: "20ms" }).catch((e) => e);
    expect(failure).toBeInstanceOf(ActionFailure);
    expect(failure.message).toBe(`interrupted while waiting for 127.0.0.1:${port} to accept connections`);
    expect(failure.result).toEqual({ interrupted: true });
  });
});

describe("wait_for probes through ctx.probe", () => {
  it("asks the context's probe, so a remote transport can answer", async () => {
    const seen: string[] = [];
    const probe: ProbeAdapter = {
      tcp: async (host, port) => {
        seen.push(`${host}:${port}`);
        return { ok: seen.length > 1, detail: "connect ECONNREFUSED" };
      },
      http: async () => ({ ok: false }),
    };
    const { run } = await setup({ probe });
    expect(await run({ port: 5432, host: "db.local", ...fast })).toMatchObject({ changed: false });
    expect(seen).toEqual(["db.local:5432", "db.local:5432"]);
  });

  it("reports an unreachable url by its error code", async () => {
    const { run } = await setup();
    const url = `http://127.0.0.1:${await freePort()}/`;
    await expect(run({ url, timeout: "100ms", sleep: "20ms" })).rejects.toThrow(
      `timed out after 100ms waiting for ${url} to answer with status 200 (last check: ECONNREFUSED)`,
    );
  });
});

describe("wait_for url", () => {
  it("polls until the expected status", async () => {
    let calls = 0;
    const port = await listen(
      createHttpServer((_req, res) => {
        calls++;
        res.writeHead(calls < 3 ? 503 : 200).end("ok");
      }),
    );
    const { run } = await setup();
    expect(await run({ url: `http://127.0.0.1:${port}/healthz`, ...fast })).toMatchObject({
      changed: false,
      status: 200,
    });
    expect(calls).toBe(3);
  });

  it("accepts any status from a list", async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(401).end()));
    const { run } = await setup();
    expect(await run({ url: `http://127.0.0.1:${port}/`, status: [200, 401], ...fast })).toMatchObject({ status: 401 });
  });

  it("times out with the last status seen", async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(503).end()));
    const { run } = await setup();
    const url = `http://127.0.0.1:${port}/ready`;
    await expect(run({ url, timeout: "200ms", sleep: "20ms" })).rejects.toThrow(
      `timed out after 200ms waiting for ${url} to answer with status 200 (last check: status 503)`,
    );
  });
});

describe("wait_for path", () => {
  it("waits for a path to appear, then to go away", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "ready");
    setTimeout(() => void writeFile(path, ""), 150);
    expect(await run({ path, ...fast })).toMatchObject({ changed: false, msg: `${path} to exist: ok` });
    setTimeout(() => void rm(path), 150);
    expect(await run({ path, state: "absent", ...fast })).toMatchObject({ changed: false });
  });

  it("times out on a path that never appears", async () => {
    const { dir, run } = await setup();
    const path = join(dir, "never");
    await expect(run({ path, timeout: 0.1, sleep: "20ms" })).rejects.toThrow(
      `timed out after 100ms waiting for ${path} to exist (last check: not there yet)`,
    );
  });
});

describe("wait_for arguments and plan", () => {
  it.each([
    [{}, "wait_for needs exactly one of port, url or path"],
    [{ port: 80, path: "/x" }, "wait_for needs exactly one of port, url or path"],
    [{ path: "/x", state: "started" }, "state started does not apply to path: use present or absent"],
    [{ url: "http://x/", state: "present" }, "state present does not apply to url"],
    [{ path: "/x", host: "db" }, "host is only used with port"],
    [{ port: 80, status: 200 }, "status is only used with url"],
    [{ url: "ftp://x/" }, "Invalid URL"],
    [{ port: 70000 }, "Too big"],
    [{ url: "http://x/", status: [200, 99] }, "Too small"],
    [{ port: 80, timeout: "soon" }, 'invalid duration "soon"'],
  ])("rejects %j", (raw, message) => {
    const r = waitForAction.schema.safeParse(raw);
    expect(r.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });

  it("defaults to a 5 minute timeout, 1s polls and 127.0.0.1", async () => {
    const { ctx } = await setup();
    const a = args(waitForAction, { port: 15021 });
    expect(a).toMatchObject({ timeout: 300_000, sleep: 1000, delay: 0 });
    expect(await waitForAction.plan(a, ctx)).toEqual({
      summary: "wait up to 5m for 127.0.0.1:15021 to accept connections",
      willChange: false,
    });
  });

  it.each([
    [250, "250ms"],
    [1500, "1.5s"],
    [30_000, "30s"],
    [300_000, "5m"],
    [5_400_000, "1h30m"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
