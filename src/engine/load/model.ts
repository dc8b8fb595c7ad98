import type { AnyAction } from "../actions/index.js";
import type { SourceLocation } from "../source.js";

/** A parameter declared by a preset. */
export interface PresetParam {
  type: "string" | "number" | "boolean" | "list" | "map";
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  description?: string;
}

export interface LoadedPreset {
  name: string;
  description: string;
  dir: string;
  file: string;
  parameters: Record<string, PresetParam>;
  tasks: Step[];
  /** `returns:` templates over params and facts, set for later steps as `<name>.<key>` (e.g. `istio.bin`). */
  returns: Record<string, string>;
  readme?: string | undefined;
  /** Where it was found: "bundled", "playbook", "path", "npm", "relative". */
  origin: string;
}

export type StepKind = "action" | "block" | "include" | "include_vars" | "set_vars" | "preset" | "flush_handlers";

/** A validated step as loaded. Values are still raw (templates unrendered), with their locations. */
export interface Step {
  kind: StepKind;
  /** The mapping as written. Common keys (when, loop, register...) are read from here. */
  raw: Record<string, unknown>;
  location: SourceLocation | undefined;
  /** The key that names what the step does, as written (`debug`, `set_fact`, `block`...). */
  actionKey: string;
  action?: AnyAction | undefined;
  args: unknown;
  /** Directory of the declaring file: relative paths resolve here. */
  baseDir: string;
  file: string;
  block?: { block: Step[]; rescue: Step[]; always: Step[] } | undefined;
  /** A static include, expanded at load time (undefined when the path is a template). */
  include?: { file: string; steps: Step[]; vars: Record<string, unknown> } | undefined;
  preset?: LoadedPreset | undefined;
}

export interface Playbook {
  file: string;
  dir: string;
  name: string;
  description: string;
  /** Playbook `vars` (lowest user layer). */
  vars: Record<string, unknown>;
  /** Variables from `vars_files`, merged in order. */
  varsFiles: Record<string, unknown>;
  tasks: Step[];
  handlers: Step[];
  /** The host pattern of the play (`hosts:`); undefined runs on this machine, as without an inventory. */
  hosts?: string | undefined;
  /** `connection: local`: the play's steps run on the controller, whatever the hosts' connection. */
  connection?: "local" | "ssh" | undefined;
  /** The play as written, when it sets become/become_user/environment for all its steps. */
  settings?: Record<string, unknown> | undefined;
  /** `serial:` batch sizes (a number or "30%", a list for growing batches; the last one repeats). */
  serial?: (number | string)[] | undefined;
  /** A file that is a list of plays (`- hosts: ...`): each one, in order. The file's own tasks are empty. */
  plays?: Playbook[] | undefined;
}
