import { type ChildProcess, spawn } from "node:child_process";
import { pipeIds, type StepProcess, stragglers, TOKEN_VAR } from "./proc-tree.js";

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
  /** Processes that had left the step's process group (setsid) and were found and signalled when it was stopped. */
  escaped?: number[] | undefined;
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
    // The step token is not among them: a root process can be neither read (/proc environ) nor killed by us,
    // and a restricted sudoers entry refuses any --preserve-env.
    const names = Object.keys(req.env ?? {});
    if (names.length) sudo.push(`--preserve-env=${names.join(",")}`);
    argv = [...sudo, ...argv];
  }
  return argv;
}

const MAX_BUFFER = 64 * 1024 * 1024;
/** After the step's own process is gone, how long its pipes may stay open before they are let go. */
const PIPE_GRACE_MS = 100;
const KILL_GRACE_MS = 2000;

interface Live extends StepProcess {
  child: ChildProcess;
}
const live = new Set<Live>();
let seq = 0;
let exitHookInstalled = false;

/** Signals the step's process group and every straggler found; returns the stragglers signalled. */
function killTree(l: Live, sig: NodeJS.Signals): number[] {
  const pid = l.child.pid;
  if (pid !== undefined) {
    try {
      process.kill(-pid, sig);
    } catch {
      // the group is already gone
    }
  }
  const hit: number[] = [];
  for (const p of stragglers(l)) {
    try {
      process.kill(p, sig);
      if (p !== pid) hit.push(p);
    } catch {
      // gone, or not ours (EPERM)
    }
  }
  return hit;
}

/**
 * Kills every step process still running, at once (SIGKILL by default): for a second Ctrl-C, SIGHUP and
 * any exit path, so no step's tree outlives runbook.
 */
export function killAllSteps(sig: NodeJS.Signals = "SIGKILL"): void {
  for (const l of live) killTree(l, sig);
}

/**
 * The local machine, through node:child_process (execa kept per-call native state: RSS grew with every
 * process, see bench/README). Each child leads its own process group so a timeout kills the whole tree;
 * processes that left the group (setsid) are found by an inherited variable, by holding the step's pipes,
 * or by parentage, and killed too. A stopped step never waits on pipes an escaped process keeps open.
 */
export const localExec: ExecAdapter = {
  run(req) {
    const argv = buildArgv(req);
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error("empty command"));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", () => killAllSteps("SIGKILL"));
    }
    const token = `${process.pid}-${++seq}`;
    return new Promise<ExecResult>((resolve) => {
      const child = spawn(file, args, {
        cwd: req.cwd,
        env: { ...process.env, ...req.env, [TOKEN_VAR]: token },
        stdio: [req.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        detached: true,
      });
      const l: Live = {
        child,
        pid: child.pid,
        token,
        pipes: pipeIds(child.pid),
        alive: () => child.exitCode === null && child.signalCode === null,
      };
      if (child.pid !== undefined) live.add(l);
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let interrupted = false;
      let stopping = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let spawnError: NodeJS.ErrnoException | undefined;
      let closed = false;
      const escaped = new Set<number>();
      const timers: NodeJS.Timeout[] = [];

      const finish = () => {
        if (closed) return;
        closed = true;
        for (const t of timers) clearTimeout(t);
        req.signal?.removeEventListener("abort", onAbort);
        if (stopping) {
          // Grandchildren that outlived their parent (e.g. `sleep 100 &`, or a setsid) die with the step.
          for (const p of killTree(l, "SIGKILL")) escaped.add(p);
        }
        live.delete(l);
        child.stdout?.destroy();
        child.stderr?.destroy();
        let rc: number;
        if (spawnError) {
          rc = spawnError.code === "ENOENT" ? 127 : 126;
          stderr ||= spawnError.code === "ENOENT" ? `${file}: command not found` : spawnError.message;
        } else if (exit && typeof exit.code === "number") rc = exit.code;
        else if (exit?.signal) rc = 128 + signalNumber(exit.signal);
        else rc = 1;
        if (escaped.size > 0)
          stderr += `${stderr ? "\n" : ""}runbook: killed ${escaped.size} process(es) that had left the step's process group: ${[...escaped].join(", ")}`;
        resolve({
          rc,
          stdout: stripFinalNewline(stdout),
          stderr: stripFinalNewline(stderr),
          timedOut,
          interrupted,
          argv,
          escaped: escaped.size ? [...escaped] : undefined,
        });
      };

      const stop = () => {
        if (stopping) return;
        stopping = true;
        for (const p of killTree(l, "SIGTERM")) escaped.add(p);
        const k = setTimeout(() => {
          for (const p of killTree(l, "SIGKILL")) escaped.add(p);
          // the step's own process may be unkillable (another user's, under sudo): move on anyway
          const g = setTimeout(finish, PIPE_GRACE_MS);
          timers.push(g);
        }, KILL_GRACE_MS);
        k.unref();
        timers.push(k);
        if (exit) afterExit();
      };
      const afterExit = () => {
        // The step's process has exited; if something else holds its pipes, let them go once stopping.
        if (stopping) timers.push(setTimeout(finish, PIPE_GRACE_MS));
      };
      const onAbort = () => {
        interrupted = true;
        stop();
      };

      const cb = req.onOutput;
      child.stdout?.setEncoding("utf8");
      child.stderr?.setEncoding("utf8");
      child.stdout?.on("data", (d: string) => {
        if (stdout.length < MAX_BUFFER) stdout += d;
        cb?.("stdout", d);
      });
      child.stderr?.on("data", (d: string) => {
        if (stderr.length < MAX_BUFFER) stderr += d;
        cb?.("stderr", d);
      });
      child.on("error", (e: NodeJS.ErrnoException) => {
        spawnError = e;
        if (child.pid === undefined) finish();
      });
      child.on("exit", (code, signal) => {
        exit = { code, signal };
        afterExit();
      });
      child.on("close", finish);
      if (req.stdin !== undefined && child.stdin) {
        child.stdin.on("error", () => {
          // the child did not read its input: EPIPE is not the step's failure
        });
        child.stdin.end(req.stdin);
      }
      if (req.timeoutMs !== undefined)
        timers.push(
          setTimeout(() => {
            timedOut = true;
            stop();
          }, req.timeoutMs),
        );
      if (req.signal?.aborted) onAbort();
      else req.signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

function stripFinalNewline(s: string): string {
  if (s.endsWith("\r\n")) return s.slice(0, -2);
  if (s.endsWith("\n")) return s.slice(0, -1);
  return s;
}

function signalNumber(sig: string): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return table[sig] ?? 0;
}
