import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { makeTar, makeZip } from "./archives.js";

/** How the server misbehaves for one path, until `times` requests have seen it (default: always). */
export type Fault =
  | { kind: "status"; status: number; times?: number }
  | { kind: "stall"; times?: number }
  | { kind: "truncate"; bytes?: number; times?: number }
  | { kind: "slow"; chunkBytes: number; delayMs: number; times?: number }
  | { kind: "redirect"; to: string; times?: number };

export interface ServedFile {
  url: string;
  sha256: string;
  /** `<url>.sha256`, in Istio's `<hex> <name>` format. */
  checksumUrl: string;
  size: number;
}

/** The platforms Istio publishes istioctl for (see research/istio.md §1.1). */
export const ISTIO_PLATFORMS = ["linux-amd64", "linux-arm64", "linux-armv7", "osx-amd64", "osx-arm64", "win-amd64"];

/**
 * A loopback stand-in for a release mirror such as GitHub releases: NOT a real mirror. It serves
 * byte buffers (real generated archives and their `.sha256` files) on 127.0.0.1, counts requests
 * per path, and can be told to fail in the ways real mirrors do.
 */
export class ReleaseServer {
  private readonly files = new Map<string, Buffer>();
  private readonly faults = new Map<string, Fault>();
  private readonly counts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<ReleaseServer> {
    let self: ReleaseServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    self = new ReleaseServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  url(path: string): string {
    return `${this.origin}/${path.replace(/^\//, "")}`;
  }

  /** Serve `bytes` at `path`, plus `<path>.sha256` unless `checksumFile: false`. */
  addFile(path: string, bytes: Buffer | string, opts: { checksumFile?: boolean } = {}): ServedFile {
    const key = `/${path.replace(/^\//, "")}`;
    const body = Buffer.from(bytes);
    const sha256 = createHash("sha256").update(body).digest("hex");
    this.files.set(key, body);
    if (opts.checksumFile !== false)
      this.files.set(`${key}.sha256`, Buffer.from(`${sha256} ${key.split("/").pop()}\n`));
    return { url: this.url(key), sha256, checksumUrl: this.url(`${key}.sha256`), size: body.length };
  }

  /** `<ver>/istioctl-<ver>-<platform>.tar.gz` (`.zip` on Windows) holding a fake istioctl, as the real release has. */
  addIstioctl(version: string, platform: string, script?: string): ServedFile {
    const body = script ?? `#!/bin/sh\necho "client version: ${version}"\n`;
    const win = platform.startsWith("win");
    const archive = win
      ? makeZip([{ path: "istioctl.exe", body, mode: 0o755 }])
      : makeTar([{ path: "istioctl", body, mode: 0o755 }]);
    return this.addFile(`${version}/istioctl-${version}-${platform}.${win ? "zip" : "tar.gz"}`, archive);
  }

  fault(path: string, fault: Fault): void {
    this.faults.set(`/${path.replace(/^\//, "")}`, fault);
  }

  /** Requests seen for `path` (all paths when omitted). */
  requests(path?: string): number {
    if (path === undefined) return [...this.counts.values()].reduce((a, b) => a + b, 0);
    return this.counts.get(`/${path.replace(/^\//, "")}`) ?? 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", this.origin).pathname;
    const n = (this.counts.get(path) ?? 0) + 1;
    this.counts.set(path, n);
    const body = this.files.get(path);
    const fault = this.faults.get(path);
    const active = fault && (fault.times === undefined || n <= fault.times) ? fault : undefined;
    if (active?.kind === "status") return void res.writeHead(active.status).end(`fault ${active.status}\n`);
    if (active?.kind === "redirect") return void res.writeHead(302, { location: active.to }).end();
    if (!body) return void res.writeHead(404).end("not found\n");
    res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
    if (active?.kind === "stall") return void res.flushHeaders();
    if (active?.kind === "truncate") {
      res.write(body.subarray(0, active.bytes ?? Math.floor(body.length / 2)));
      // End the connection mid-body, as a dropped link would.
      return void setTimeout(() => res.socket?.destroy(), 10);
    }
    if (active?.kind === "slow") return void this.dribble(res, body, active.chunkBytes, active.delayMs);
    res.end(body);
  }

  private dribble(res: ServerResponse, body: Buffer, chunkBytes: number, delayMs: number, at = 0): void {
    if (res.destroyed) return;
    if (at >= body.length) return void res.end();
    res.write(body.subarray(at, at + chunkBytes));
    setTimeout(() => this.dribble(res, body, chunkBytes, delayMs, at + chunkBytes), delayMs);
  }
}
