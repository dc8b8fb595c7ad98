import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../../version.js";
import { type ActionContext, ActionFailure } from "../actions/types.js";
import type { StepRef } from "../events.js";
import type { ExecAdapter } from "../io/exec.js";
import { type FsAdapter, localFs } from "../io/fs.js";
import type { ProbeAdapter } from "../io/probe.js";
import type { Step } from "../load/model.js";
import { looksSecret } from "../secrets.js";
import { renderString } from "../template.js";
import type { Runner } from "./runner.js";
import type { Settings } from "./settings.js";

/** The target's adapters and the user's cache folder. */
export interface Adapters {
  exec: ExecAdapter;
  fs: FsAdapter;
  /** The file system with become applied to writes (SSH hosts); `fs` when absent. */
  fsAs?: ((become: boolean, becomeUser: string | undefined) => FsAdapter) | undefined;
  probe?: ProbeAdapter | undefined;
  /** false on an SSH host: actions that write with node:fs themselves refuse to run there. */
  local?: boolean | undefined;
  /** Drop the connection to the host so the next command opens a new one (reboot). */
  reconnect?: (() => Promise<void>) | undefined;
  cacheDir: string;
}

/** The user's cache folder for runbook (downloads are cached here by checksum). */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.RUNBOOK_CACHE_DIR) return env.RUNBOOK_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "runbook");
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "runbook");
  return join(homedir(), ".cache", "runbook");
}

export const BUNDLED_TEMPLATES = join(PACKAGE_ROOT, "templates");

/** SPEC §1: next to the declaring file, then its templates/ folder, then the bundled templates/. */
export function templateCandidates(src: string, baseDir: string): string[] {
  if (isAbsolute(src)) return [src];
  return [resolve(baseDir, src), resolve(baseDir, "templates", src), resolve(BUNDLED_TEMPLATES, src)];
}

export async function resolveTemplateFile(src: string, baseDir: string): Promise<string> {
  const candidates = templateCandidates(src, baseDir);
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ActionFailure(`template ${src} not found; looked in:\n  ${candidates.join("\n  ")}`);
  return found;
}

/** The context an action runs with: the step's settings (cwd, environment, become, timeout) as resolved. */
export function actionContext(
  r: Runner,
  io: Adapters,
  step: Step,
  ref: StepRef,
  scope: Record<string, unknown>,
  settings: Settings,
): ActionContext {
  const noLog = settings.noLog === true;
  // Output registered under a secret name (`register: sa_token`) is the secret: not streamed before it is known.
  const quiet = noLog || (typeof step.raw.register === "string" && looksSecret(step.raw.register));
  return {
    exec: io.exec,
    fs: settings.become === true && io.fsAs ? io.fsAs(true, settings.becomeUser) : io.fs,
    probe: io.probe,
    local: io.local !== false,
    reconnect: io.reconnect,
    controllerFs: io.local === false ? localFs : io.fs,
    step: ref,
    baseDir: step.baseDir,
    playbookDir: r.playbook.dir,
    cwd: settings.cwd,
    env: { ...settings.environment },
    become: settings.become === true,
    becomeUser: settings.becomeUser,
    // `timeout: 0` means no timeout, as in Ansible; it also lifts a block's timeout for one step.
    timeoutMs: settings.timeoutMs || undefined,
    noLog,
    dryRun: r.mode !== "run" || settings.checkMode === true,
    signal: r.signal,
    vars: scope,
    render: (text, extra, origin) =>
      renderString(
        text,
        extra ? { ...scope, ...extra } : scope,
        origin ? { file: origin, line: 1, col: 1 } : undefined,
      ),
    resolveTemplate: (src) => resolveTemplateFile(src, step.baseDir),
    output: (stream, chunk) => {
      if (!quiet) r.emit({ kind: "output", step: ref, stream, chunk });
    },
    progress: (message, current, total) => r.emit({ kind: "progress", step: ref, message, current, total }),
    cacheDir: io.cacheDir,
    processEnv: r.globals.env,
  };
}
