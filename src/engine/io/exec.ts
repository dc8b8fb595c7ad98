import { type ChildProcess, spawn } from "node:child_process";

export interface ExecRequest {
  /** argv (no shell) — or use `shell`. */
  argv?: string[];
  /** A command line run through `executable -c` (default /bin/sh). */
  shell?: string;
  executable?: string;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Run through `sudo -n` (as `becomeUser` when set). */
  become?: boolean | undefined;
  becomeUser?: string | undefined;
  onOutput?: ((stream: "stdout" | "stderr", chunk: string) => void) | undefined;
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  interrupted: boolean;
  /** The argv actually started (after sudo and shell wrapping). */
  argv: string[];
}

/** Starts processes on the target. Local today; an SSH transport will be another implementation. */
export interface ExecAdapter {
  run(req: ExecRequest): Promise<ExecResult>;
}

export function buildArgv(req: ExecRequest): string[] {
  let argv = req.shell !== undefined ? [req.executable ?? "/bin/sh", "-c", req.shell] : [...(req.argv ?? [])];
  if (req.become) {
    const sudo = ["sudo", "-n"];
    if (req.becomeUser) sudo.push("-u", req.becomeUser);
    // sudo resets the environment; pass the step's variables explicitly.
    const envArgs = Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`);
    argv = envArgs.length ? [...sudo, "env", ...envArgs, ...argv] : [...sudo, ...argv];
  }
  return argv;
}

/** Output kept per stream; past it the child is stopped, as execa's `maxBuffer` did. */
const MAX_BUFFER = 64 * 1024 * 1024;

/** Drop one trailing newline (`\n` or `\r\n`), like a shell's `$(...)` and execa's `stripFinalNewline`. */
function stripFinalNewline(s: string): string {
  return s.endsWith("\n") ? s.slice(0, s.endsWith("\r\n") ? -2 : -1) : s;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: NodeJS.ErrnoException | undefined;
}

/**
 * The local machine, through node:child_process (execa's start-up and per-process cost was most of a shell
 * step's overhead). Each child leads its own process group so a timeout kills the whole tree.
 */
export const localExec: ExecAdapter = {
  async run(req) {
    const argv = buildArgv(req);
    const [file, ...args] = argv;
    if (!file) throw new Error("empty command");
    let timedOut = false;
    let interrupted = false;
    let child: ChildProcess | undefined;
    const killTree = (sig: NodeJS.Signals) => {
      if (child?.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    const timer =
      req.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            killTree("SIGTERM");
            setTimeout(() => killTree("SIGKILL"), 2000).unref();
          }, req.timeoutMs)
        : undefined;
    const onAbort = () => {
      interrupted = true;
      killTree("SIGTERM");
      setTimeout(() => killTree("SIGKILL"), 2000).unref();
    };
    try {
      const exit = await new Promise<Exit & { stdout: string; stderr: string }>((done) => {
        const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
        const size = { stdout: 0, stderr: 0 };
        let settled = false;
        const finish = (e: Exit) => {
          if (settled) return;
          settled = true;
          const text = (name: "stdout" | "stderr") =>
            stripFinalNewline(Buffer.concat(out[name]).toString("utf8").slice(0, MAX_BUFFER));
          done({ ...e, stdout: text("stdout"), stderr: text("stderr") });
        };
        // Invalid arguments (a null byte) throw here and reject, as they did with execa.
        const c = spawn(file, args, {
          cwd: req.cwd,
          env: { ...process.env, ...req.env },
          stdio: [req.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
          detached: true,
        });
        child = c;
        if (req.signal?.aborted) onAbort();
        req.signal?.addEventListener("abort", onAbort, { once: true });
        for (const name of ["stdout", "stderr"] as const) {
          c[name]?.on("data", (d: Buffer) => {
            if (size[name] > MAX_BUFFER) return;
            size[name] += d.length;
            out[name].push(d);
            if (size[name] > MAX_BUFFER) c.kill("SIGTERM");
            req.onOutput?.(name, String(d));
          });
        }
        let spawnError: NodeJS.ErrnoException | undefined;
        c.on("error", (e: NodeJS.ErrnoException) => {
          spawnError ??= e;
          // A child that never started emits no "close" of its own once stdio is torn down.
          if (c.pid === undefined) setImmediate(() => finish({ code: null, signal: null, error: spawnError }));
        });
        c.on("close", (code, signal) => finish({ code, signal, error: spawnError }));
        if (c.stdin) {
          c.stdin.on("error", () => {
            // the child exited without reading all of its input
          });
          c.stdin.end(req.stdin);
        }
      });
      const rc = typeof exit.code === "number" ? exit.code : exit.signal ? 128 + signalNumber(exit.signal) : 1;
      const notFound = exit.error?.code === "ENOENT";
      return {
        rc: notFound && typeof exit.code !== "number" ? 127 : rc,
        stdout: exit.stdout,
        stderr: notFound && !exit.stderr ? `${file}: command not found` : exit.stderr,
        timedOut,
        interrupted,
        argv,
      };
    } finally {
      if (timer) clearTimeout(timer);
      req.signal?.removeEventListener("abort", onAbort);
      // Grandchildren that outlived their parent (e.g. `sleep 100 &`) die with the step.
      if (timedOut || interrupted) killTree("SIGKILL");
    }
  },
};

function signalNumber(sig: string): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return table[sig] ?? 0;
}
