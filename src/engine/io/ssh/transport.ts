import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { looksLikeSshFailure, UnreachableError } from "./errors.js";
import { framedPrelude, killScript, putScript, WRAPPER } from "./script.js";

/** Where and how to reach one host (see inventory/connection.ts for Ansible's variable names). */
export interface SshHost {
  name: string;
  address: string;
  port?: number | undefined;
  user?: string | undefined;
  privateKeyFile?: string | undefined;
  sshArgs?: string[] | undefined;
}

export interface SshExecOptions {
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  become?: boolean | undefined;
  becomeUser?: string | undefined;
  stdin?: string | Buffer | Readable | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Output as it arrives (the command's own, after the wrapper's pid line). */
  onOutput?: ((stream: "stdout" | "stderr", chunk: string) => void) | undefined;
}

export interface SshExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  interrupted: boolean;
}

export interface SshTransportOptions {
  /** An ssh_config file instead of ~/.ssh/config (`ssh -F`); tests use it for known_hosts and keys. */
  configFile?: string | undefined;
  /** How long the master connection outlives its last use (ControlPersist). */
  persist?: string | undefined;
  ssh?: string | undefined;
}

/** The system OpenSSH client, one multiplexed master connection per host, control sockets in a private folder. */
export class SshTransport {
  readonly controlDir: string;
  private readonly opts: SshTransportOptions;
  private readonly masters = new Map<string, Promise<void>>();

  constructor(opts: SshTransportOptions = {}) {
    this.opts = opts;
    // Unix sockets are limited to 104-108 bytes: keep the folder short (%C adds 40 characters).
    const base = tmpdir().length > 40 ? "/tmp" : tmpdir();
    this.controlDir = mkdtempSync(join(base, "rb-ssh-")); // mkdtemp creates it 0700
  }

  private baseArgs(h: SshHost): string[] {
    const a: string[] = [];
    if (this.opts.configFile) a.push("-F", this.opts.configFile);
    a.push(
      "-o",
      "BatchMode=yes",
      "-T",
      "-o",
      "ControlMaster=auto",
      "-o",
      `ControlPersist=${this.opts.persist ?? "60"}`,
      "-o",
      `ControlPath=${this.controlDir}/%C`,
    );
    if (h.port !== undefined) a.push("-p", String(h.port));
    if (h.user !== undefined) a.push("-l", h.user);
    if (h.privateKeyFile !== undefined) a.push("-i", h.privateKeyFile);
    a.push(...(h.sshArgs ?? []));
    return a;
  }

  private spawnSsh(h: SshHost, remote: string, stdin: Buffer | undefined, rest?: Readable | string | Buffer) {
    let sourceError: Error | undefined;
    const child = spawn(this.opts.ssh ?? "ssh", [...this.baseArgs(h), "--", h.address, remote], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.on("error", () => {});
    if (stdin) child.stdin.write(stdin);
    if (rest === undefined) child.stdin.end();
    else if (typeof rest === "string" || Buffer.isBuffer(rest)) child.stdin.end(rest);
    else {
      // A source that fails mid-way must not look like a complete file: kill ssh before it sends EOF.
      rest.once("error", (e) => {
        sourceError = e;
        child.kill("SIGKILL");
      });
      rest.pipe(child.stdin);
    }
    return Object.assign(child, { sourceError: () => sourceError });
  }

  // Open the master once per host; parallel first calls would otherwise each open their own connection.
  private master(h: SshHost): Promise<void> {
    let p = this.masters.get(h.name);
    if (!p) {
      p = new Promise<void>((resolve, reject) => {
        const child = this.spawnSsh(h, "true", undefined);
        let err = "";
        child.stderr.on("data", (d) => {
          err += d;
        });
        // ControlPersist leaves the master in the background holding stderr: "exit" is enough.
        child.on("exit", (code) => {
          if (code === 0) resolve();
          else reject(new UnreachableError(h.name, err.trim() || `ssh exited ${code}`));
        });
        child.on("error", (e) => reject(new UnreachableError(h.name, e.message)));
      });
      p.catch(() => this.masters.delete(h.name));
      this.masters.set(h.name, p);
    }
    return p;
  }

  /** Like exec, with stdout as bytes (file reads). */
  async raw(h: SshHost, cmd: string, opts: SshExecOptions): Promise<SshExecResult & { out: Buffer }> {
    await this.master(h);
    const child = this.spawnSsh(h, WRAPPER, framedPrelude({ ...opts, cmd }), opts.stdin ?? "");
    const out: Buffer[] = [];
    let err = "";
    let pid: number | undefined;
    let head = Buffer.alloc(0);
    const onOutput = opts.onOutput;
    child.stdout.on("data", (d: Buffer) => {
      if (pid === undefined) {
        head = Buffer.concat([head, d]);
        const nl = head.indexOf(10);
        if (nl < 0) return;
        pid = Number(head.subarray(0, nl).toString());
        if (killPending) kill();
        d = head.subarray(nl + 1);
        if (!d.length) return;
      }
      out.push(d);
      onOutput?.("stdout", d.toString("utf8"));
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
      onOutput?.("stderr", d.toString("utf8"));
    });
    let timedOut = false;
    let interrupted = false;
    let killPending = false;
    let followUp: NodeJS.Timeout | undefined;
    const kill = () => {
      // The pid line has not arrived yet: kill as soon as it does (the command may already be running).
      if (pid === undefined) {
        killPending = true;
        return;
      }
      const p = pid;
      // A command run through sudo belongs to root: only sudo may signal it.
      const as = { become: opts.become };
      void this.raw(h, killScript(p, "TERM"), as).catch(() => {});
      followUp = setTimeout(() => void this.raw(h, killScript(p, "KILL"), as).catch(() => {}), 2000);
      followUp.unref();
    };
    const onAbort = () => {
      interrupted = true;
      kill();
    };
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, opts.timeoutMs)
        : undefined;
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const code: number = await new Promise((resolve) => {
      child.on("close", (c, sig) => resolve(c ?? (sig ? 128 + 9 : 1)));
      child.on("error", () => resolve(255));
    });
    if (timer) clearTimeout(timer);
    if (followUp) clearTimeout(followUp);
    // Grandchildren that ignored TERM or outlived their parent (`sleep 100 &`) die with the step, as locally.
    if ((timedOut || interrupted) && pid !== undefined)
      await this.raw(h, killScript(pid, "KILL"), { become: opts.become }).catch(() => {});
    opts.signal?.removeEventListener("abort", onAbort);
    const failed = child.sourceError();
    if (failed) throw failed;
    // 255 is ssh's own failure, or a command that exited 255: a dead master connection tells them apart
    // (a dropped host leaves the mux client no message of its own).
    if (
      code === 255 &&
      !interrupted &&
      !timedOut &&
      (pid === undefined || looksLikeSshFailure(err) || !(await this.masterAlive(h)))
    ) {
      this.masters.delete(h.name);
      throw new UnreachableError(h.name, err.trim() || "ssh exited 255");
    }
    const stdout = Buffer.concat(out);
    return { rc: code, out: stdout, stdout: "", stderr: err.replace(/\n$/, ""), timedOut, interrupted };
  }

  /** Run `cmd` through `sh -c` on the host (`sudo -n` for become). Throws UnreachableError, never for a command's rc. */
  async exec(h: SshHost, cmd: string, opts: SshExecOptions = {}): Promise<SshExecResult> {
    const r = await this.raw(h, cmd, opts);
    return {
      rc: r.rc,
      stdout: r.out.toString("utf8").replace(/\n$/, ""),
      stderr: r.stderr,
      timedOut: r.timedOut,
      interrupted: r.interrupted,
    };
  }

  /** Write `content` to `dest` atomically (temp file in the same folder, then rename) with `mode`. */
  async putFile(
    h: SshHost,
    content: string | Buffer | Readable,
    dest: string,
    opts: { mode?: number; size?: number; become?: boolean; becomeUser?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    const size =
      typeof content === "string" ? Buffer.byteLength(content) : Buffer.isBuffer(content) ? content.length : opts.size;
    if (size === undefined)
      throw new Error("putFile: a stream needs its size, so that a cut-off write is never renamed into place");
    const r = await this.raw(h, putScript(dest, opts.mode ?? 0o644, size), {
      stdin: content,
      become: opts.become,
      becomeUser: opts.becomeUser,
      signal: opts.signal,
    });
    if (r.rc !== 0) throw new Error(`${h.name}: cannot write ${dest}: ${r.stderr || `rc ${r.rc}`}`);
  }

  /** The bytes of `src` on the host. */
  async getFile(h: SshHost, src: string, opts: { become?: boolean } = {}): Promise<Buffer> {
    const r = await this.raw(h, `cat -- '${src.replace(/'/g, `'\\''`)}'`, { become: opts.become });
    if (r.rc !== 0) throw new Error(`${h.name}: cannot read ${src}: ${r.stderr || `rc ${r.rc}`}`);
    return r.out;
  }

  /** `ssh -O check`: is the host's master connection still up? */
  private masterAlive(h: SshHost): Promise<boolean> {
    return new Promise((resolve) => {
      const c = spawn(this.opts.ssh ?? "ssh", [...this.baseArgs(h), "-O", "check", h.address], { stdio: "ignore" });
      c.on("close", (code) => resolve(code === 0));
      c.on("error", () => resolve(false));
    });
  }

  /**
   * Forget the host's master connection and tell it to exit (`ssh -O exit`, answered by the local
   * master even when the host is gone), so the next command connects afresh: after a reboot the
   * old connection is dead or about to be, and commands multiplexed on it would hang or fail.
   */
  async reset(h: SshHost): Promise<void> {
    this.masters.delete(h.name);
    await new Promise<void>((resolve) => {
      const c = spawn(this.opts.ssh ?? "ssh", [...this.baseArgs(h), "-O", "exit", h.address], { stdio: "ignore" });
      c.on("close", () => resolve());
      c.on("error", () => resolve());
    });
  }

  /** Close every master connection (`ssh -O exit`) and remove the control folder. */
  async close(hosts: readonly SshHost[]): Promise<void> {
    await Promise.all(
      hosts.map(
        (h) =>
          new Promise<void>((resolve) => {
            const c = spawn(this.opts.ssh ?? "ssh", [...this.baseArgs(h), "-O", "exit", h.address], {
              stdio: "ignore",
            });
            c.on("close", () => resolve());
            c.on("error", () => resolve());
          }),
      ),
    );
    this.masters.clear();
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
