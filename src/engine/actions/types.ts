import type { z } from "zod";
import type { StepRef } from "../events.js";
import type { ExecAdapter } from "../io/exec.js";
import type { FsAdapter } from "../io/fs.js";
import type { ProbeAdapter } from "../io/probe.js";

/** Everything an action may touch. Tests swap the adapters; production never notices. */
export interface ActionContext {
  exec: ExecAdapter;
  fs: FsAdapter;
  /** Network checks from the target's point of view (wait_for); the local probe when absent. */
  probe?: ProbeAdapter | undefined;
  /** The controller's files (copy src, templates); `fs` when the target is this machine. */
  controllerFs?: FsAdapter | undefined;
  /** false when the target is an SSH host (actions that still write with node:fs refuse to run there). */
  local?: boolean | undefined;
  /** Drop the connection to an SSH host so the next command opens a new one (reboot); absent locally. */
  reconnect?: (() => Promise<void>) | undefined;
  step: StepRef;
  /** Directory of the file that declared the step: relative `src` paths resolve against it. */
  baseDir: string;
  playbookDir: string;
  /** From the step's keys. */
  cwd?: string | undefined;
  env: Record<string, string>;
  become: boolean;
  becomeUser?: string | undefined;
  timeoutMs?: number | undefined;
  noLog: boolean;
  dryRun: boolean;
  signal: AbortSignal;
  /** The variables visible to the step (facts, env, runbook, item, registered results...). */
  vars: Record<string, unknown>;
  /** Render a Handlebars template string with the step's variables (plus `extra`). */
  render(template: string, extra?: Record<string, unknown>, origin?: string): string;
  /** Find a template file: next to the declaring file, its templates/ folder, then the bundled templates/. */
  resolveTemplate(src: string): Promise<string>;
  /** Stream a chunk of output (shown live and with -v). */
  output(stream: "stdout" | "stderr", chunk: string): void;
  /** Report progress of a long operation (download bytes, waiting for a rollout). */
  progress(message: string, current?: number, total?: number): void;
  /** The user's cache directory for runbook (downloads cache). */
  cacheDir: string;
  /** The process environment of the target (for proxies and the like). */
  processEnv: Record<string, string | undefined>;
}

/** What an action returns; the engine adds `failed`, `skipped`, `duration_ms`, `attempts`. */
export interface ActionResult {
  changed: boolean;
  failed?: boolean;
  msg?: string;
  [key: string]: unknown;
}

/** What `plan` shows for a step, computed without changing anything. */
export interface PlanInfo {
  /** One line: what would happen ("write /etc/x (new file)", "run: istioctl install -y"). */
  summary: string;
  /** The exact command line for shell/command. */
  command?: string | undefined;
  /** A unified diff for files. */
  diff?: string | undefined;
  /** true, false, or undefined when it cannot be known before running. */
  willChange?: boolean | undefined;
  /** Set when the step would be skipped (e.g. `creates` exists). */
  skipReason?: string | undefined;
  details?: string[] | undefined;
  /** Structured extras for the JSON plan (objects for k8s, checksum for download...). */
  data?: Record<string, unknown> | undefined;
}

export interface ActionDef<A = unknown> {
  name: string;
  aliases?: string[];
  description: string;
  /** Validates (and normalises shorthand forms of) the rendered arguments. */
  schema: z.ZodType<A>;
  /** Argument fields left unrendered: they hold CEL expressions evaluated by the action. */
  rawFields?: string[];
  /** Argument fields whose plain scalars written in the playbook are read as YAML 1.1 (k8s `definition`, as kubectl). */
  yaml11Fields?: string[];
  /**
   * Written as a single string, the step's value is this field, whatever it renders to
   * (`print: "{{ result }}"` prints the map instead of reading its keys as arguments).
   */
  scalarField?: string;
  /**
   * Runs with values known only at run time and reports them as such (print, assert, fail): in a
   * plan it is not held back when its arguments hold a run-time placeholder.
   */
  handlesUnknown?: boolean;
  /** Changes nothing, so it also runs in a dry run (print, assert, k8s_info). */
  readOnly?: boolean;
  run(args: A, ctx: ActionContext): Promise<ActionResult>;
  plan(args: A, ctx: ActionContext): Promise<PlanInfo>;
  /**
   * Static checks `validate` and the check pass run when the arguments are known (a template file
   * renders against the scope). Reads controller files only; throws a RunbookError with a location.
   */
  check?(args: A, ctx: ActionContext): Promise<void>;
}

/** An action failed in a way the user can act on: becomes a failed result with this message. */
export class ActionFailure extends Error {
  readonly result: Record<string, unknown>;
  constructor(message: string, result: Record<string, unknown> = {}) {
    super(message);
    this.name = "ActionFailure";
    this.result = result;
  }
}

export function defineAction<A>(def: ActionDef<A>): ActionDef<A> {
  return def;
}
