// execa is loaded on the first command, not at start-up: `--version`, `validate` and `plan` never pay for it.
let execaModule: Promise<typeof import("execa")> | undefined;
const loadExeca = () => {
  execaModule ??= import("execa");
  return execaModule;
};

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
    // sudo resets the environment; keep the step's variables by name, so their values (tokens)
    // never appear in the process list the way `sudo env K=V` would show them.
    const names = Object.keys(req.env ?? {});
    if (names.length) sudo.push(`--preserve-env=${names.join(",")}`);
    argv = [...sudo, ...argv];
  }
  return argv;
}

/** The local machine, through execa. Each child leads its own process group so a timeout kills the whole tree. */
export const localExec: ExecAdapter = {
  async run(req) {
    const argv = buildArgv(req);
    const [file, ...args] = argv;
    if (!file) throw new Error("empty command");
    const { execa } = await loadExeca();
    const child = execa(file, args, {
      cwd: req.cwd,
      env: req.env,
      extendEnv: true,
      input: req.stdin,
      stdin: req.stdin === undefined ? "ignore" : "pipe",
      reject: false,
      stripFinalNewline: true,
      detached: true,
      cleanup: true,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    let timedOut = false;
    let interrupted = false;
    const killTree = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
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
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    if (req.onOutput) {
      const cb = req.onOutput;
      child.stdout?.on("data", (d: Buffer | string) => cb("stdout", String(d)));
      child.stderr?.on("data", (d: Buffer | string) => cb("stderr", String(d)));
    }
    try {
      const r = await child;
      const rc = typeof r.exitCode === "number" ? r.exitCode : r.signal ? 128 + signalNumber(r.signal) : 1;
      const notFound = (r as { code?: string }).code === "ENOENT" || /ENOENT/.test(String(r.message ?? ""));
      return {
        rc: notFound && typeof r.exitCode !== "number" ? 127 : rc,
        stdout: String(r.stdout ?? ""),
        stderr: notFound && !r.stderr ? `${file}: command not found` : String(r.stderr ?? ""),
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
