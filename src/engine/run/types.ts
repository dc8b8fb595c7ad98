import type { PlanInfo } from "../actions/types.js";
import type { EventSink, StepRef } from "../events.js";
import type { Facts } from "../facts.js";
import type { ExecAdapter } from "../io/exec.js";
import type { FsAdapter } from "../io/fs.js";
import type { Step } from "../load/model.js";
import type { SecretMasker } from "../secrets.js";
import type { Target } from "../target.js";
import type { UnknownInfo } from "../unknown.js";
import type { Result } from "./result.js";
import type { Settings } from "./settings.js";

/**
 * run: do it. dry-run: mutating steps only plan (read-only probes with `check_mode: false` run).
 * check: a static pass before anything runs — nothing is executed, every problem is collected.
 */
export type RunMode = "run" | "dry-run" | "check";

export interface RunOptions {
  mode?: RunMode;
  /** --tags/--skip-tags were checked against the whole file (a run of one play of several must not check them again). */
  tagNamesChecked?: boolean;
  extraVars?: Record<string, unknown>;
  tags?: string[];
  skipTags?: string[];
  startAtTask?: string;
  forceHandlers?: boolean;
  exec?: ExecAdapter;
  fs?: FsAdapter;
  /** The machine the steps act on (default: this one, with `exec`/`fs` when given). */
  target?: Target;
  /** The inventory host this run is for: put on every event (runs with `-i`). */
  host?: string;
  /** Settings every step starts from (a host's `ansible_become`, `ansible_become_user`). */
  hostSettings?: Settings;
  /** The host's inventory variables (group and host vars), below playbook `vars`. */
  inventoryVars?: Record<string, unknown>;
  /** inventory_hostname, groups, hostvars. */
  magicVars?: Record<string, unknown>;
  /**
   * run_once across hosts: the first caller for (step, occurrence) runs `compute`; the others get its
   * result and the host that ran it (the fleet provides this; a single run runs every step itself).
   */
  runOnce?: (
    step: Step,
    occurrence: number,
    compute: () => Promise<Result>,
  ) => Promise<{ result: Result; host: string }>;
  /** The host's registered results and set_vars, shared by its plays. */
  runtime?: Record<string, unknown>;
  facts?: Facts;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Called for every planned step (dry-run and check modes). */
  onPlan?: (entry: PlanEntry) => void;
  presetPaths?: string[];
  cacheDir?: string;
  /** The environment seen as `env` and by commands (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Collect user errors (templates, expressions, arguments) and throw them together at the end. */
  collectErrors?: boolean;
  /**
   * Taught every secret the run meets (secret-named variables from any source, no_log inputs and
   * outputs); whoever prints events, plans or errors masks with it. Default: a private one.
   */
  masker?: SecretMasker;
  /** Skip the static check that `apply` does before running (tests of run-time behaviour). */
  skipCheck?: boolean;
}

export type PlanDecision = "run" | "skip" | "runtime";

/** One step (or loop item) of a plan. */
export interface PlanEntry {
  step: StepRef;
  item?: { index: number; label: string } | undefined;
  decision: PlanDecision;
  /** Why it is skipped, or what it waits for. */
  reason?: string | undefined;
  waitsFor?: UnknownInfo | undefined;
  /** Rendered arguments (redacted for no_log). */
  args?: unknown;
  info?: PlanInfo | undefined;
  notifies?: string[] | undefined;
  /** It ran for real during the plan (check_mode: false or a read-only action). */
  probe?: boolean | undefined;
  tags?: string[] | undefined;
  noLog?: boolean | undefined;
  /** For handlers: the steps that may notify it. */
  handler?: boolean | undefined;
}
