import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { RunbookError, RunbookErrors } from "../errors.js";
import { stepKeySchemas } from "../schema/keys.js";
import { issuesToErrors } from "../schema/zod-issues.js";
import { displayPath, formatLocation } from "../source.js";
import { renderString } from "../template.js";
import { readVarsFile, readYamlFile, realPath } from "./files.js";
import type { Playbook, Step } from "./model.js";
import { loadPreset } from "./preset.js";
import { loadStep, type StepLoadContext } from "./step.js";
import { keyLocOf, locOf, mergeWithLocations, valueLocOf } from "./yaml.js";

export interface LoadOptions {
  /** Extra preset folders (`--preset-path`, RUNBOOK_PRESET_PATH). */
  presetPaths?: string[];
  /** Where RUNBOOK_PRESET_PATH is read (default: process.env); runPlaybook passes its `env`. */
  env?: Record<string, string | undefined>;
  /** `-e` values: a templated `vars_files` path is rendered with them over the play's vars. */
  extraVars?: Record<string, unknown>;
}

/** The keys that make a document a play: where and how its steps run (shared with the JSON Schema). */
export const playKeys = {
  hosts: z
    .string()
    .optional()
    .describe("Inventory host pattern the steps run on (`all`, a group, `web:&prod`, `!pi3`); needs `-i`"),
  serial: z
    .union([
      z.number().int().positive(),
      z.string().regex(/^\d+%?$/),
      z.array(z.union([z.number().int().positive(), z.string().regex(/^\d+%?$/)])).min(1),
    ])
    .optional()
    .describe(
      'Rolling batches: hosts per batch (`1`, `"30%"`, or a list like `[1, 5, "50%"]` whose last size repeats)',
    ),
  connection: z
    .enum(["local", "ssh"])
    .optional()
    .describe("`local`: run the play's steps on the controller for each host"),
  become: stepKeySchemas.become.optional().describe("Every step of the play runs through `sudo -n`"),
  become_user: stepKeySchemas.become_user.optional().describe("The user the play's steps become (default root)"),
  environment: stepKeySchemas.environment.optional().describe("Environment variables for every command of the play"),
  gather_facts: z
    .boolean()
    .optional()
    .describe("Accepted for Ansible playbooks: facts are gathered when a host is first reached, and read lazily"),
};

/** The play keys that are step settings for every step of the play. */
const PLAY_SETTINGS = ["become", "become_user", "environment"] as const;

const documentSchema = z
  .object({
    name: z.string().optional().describe("The playbook's name"),
    description: z.string().optional().describe("One line shown by `runbook plan` and `runbook playbooks`"),
    vars: z.record(z.string(), z.unknown()).optional().describe("Variables (lowest precedence after preset defaults)"),
    vars_files: z.array(z.string()).optional().describe("YAML files of variables, relative to the playbook"),
    tasks: z.array(z.unknown()).describe("The steps"),
    handlers: z.array(z.unknown()).optional().describe("Steps run at the end when notified"),
    ...playKeys,
  })
  .strict();

/** Loads a playbook and everything it names, collecting every problem before throwing them together. */
export class Loader {
  readonly errors: RunbookError[] = [];
  private readonly includeChain: string[] = [];
  readonly presetChain: string[] = [];
  /** The folder of the playbook being loaded: its `presets/` serves presets used from included files and other presets too. */
  playbookDir: string | undefined;

  constructor(readonly options: LoadOptions = {}) {}

  private guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof RunbookError) {
        this.errors.push(e);
        return undefined;
      }
      if (e instanceof RunbookErrors) {
        this.errors.push(...e.errors);
        return undefined;
      }
      throw e;
    }
  }

  /** Load a list of steps declared in `file`. */
  steps(list: unknown, file: string, where: string, handler = false): Step[] {
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) {
      this.errors.push(new RunbookError("schema", `\`${where}\` must be a list of steps`, { location: locOf(list) }));
      return [];
    }
    const ctx: StepLoadContext = {
      file,
      baseDir: dirname(file),
      handler,
      errors: this.errors,
      loadSteps: (l, w, h) => this.steps(l, file, w, h),
      loadInclude: (step) => this.guard(() => this.include(step)),
      loadPreset: (step) => this.guard(() => loadPreset(step, this)),
    };
    const out: Step[] = [];
    for (const [i, raw] of list.entries()) {
      const step = loadStep(raw, ctx, valueLocOf(list, i));
      if (step) out.push(step);
    }
    return out;
  }

  /** Two handlers with one name: Ansible silently runs only the first, so the second is refused. */
  private uniqueHandlerNames(handlers: Step[]): void {
    const seen = new Map<string, Step>();
    for (const h of handlers) {
      const name = h.raw.name;
      if (typeof name !== "string") continue;
      const first = seen.get(name);
      if (!first) {
        seen.set(name, h);
        continue;
      }
      this.errors.push(
        new RunbookError("schema", `two handlers are named \`${name}\``, {
          location: valueLocOf(h.raw, "name"),
          hint: `the first is at ${first.location ? formatLocation(first.location) : "?"}; rename one, or use \`listen:\` to run both on one notification`,
        }),
      );
    }
  }

  /** A task file is a list of steps, like the list form of a playbook. */
  taskFile(path: string, namedAt: Step | undefined): Step[] {
    const real = realPath(path);
    if (this.includeChain.includes(real)) {
      const chain = [...this.includeChain.slice(this.includeChain.indexOf(real)), real];
      throw new RunbookError("include-cycle", "include cycle", {
        location: namedAt ? valueLocOf(namedAt.raw, namedAt.actionKey) : undefined,
        details: chain.map((f, i) => `${i === 0 ? "   " : "-> "}${displayPath(f)}`),
        hint: "a file includes itself through this chain; remove one of the includes",
      });
    }
    const data = readYamlFile(path, "include", namedAt ? valueLocOf(namedAt.raw, namedAt.actionKey) : undefined);
    if (!Array.isArray(data)) {
      throw new RunbookError("include", `${displayPath(path)}: a task file must be a list of steps`, {
        location: locOf(data) ?? { file: path, line: 1, col: 1 },
      });
    }
    this.includeChain.push(real);
    try {
      return this.steps(data, path, "tasks");
    } finally {
      this.includeChain.pop();
    }
  }

  private include(step: Step): void {
    const spec = step.args as string | { file: string; vars?: Record<string, unknown> };
    const file = typeof spec === "string" ? spec : spec.file;
    // A templated path is resolved when the step runs (its value may depend on the run).
    if (file.includes("{{")) return;
    const path = isAbsolute(file) ? file : resolve(step.baseDir, file);
    step.include = {
      file: path,
      steps: this.taskFile(path, step),
      vars: typeof spec === "string" ? {} : (spec.vars ?? {}),
    };
  }

  playbook(path: string): Playbook {
    const file = resolve(path);
    const data = readYamlFile(file, "usage");
    const dir = dirname(file);
    this.playbookDir = dir;
    const pb: Playbook = { file, dir, name: "", description: "", vars: {}, varsFiles: {}, tasks: [], handlers: [] };
    this.includeChain.push(realPath(file));
    if (Array.isArray(data) && isPlayList(data)) {
      pb.plays = data.map((play) => {
        const p: Playbook = { ...pb, vars: {}, varsFiles: {}, tasks: [], handlers: [] };
        this.document(p, play);
        if (!p.name) p.name = `hosts: ${p.hosts ?? ""}`;
        return p;
      });
    } else if (Array.isArray(data)) {
      pb.tasks = this.steps(data, file, "tasks");
    } else if (data && typeof data === "object") {
      this.document(pb, data);
    } else {
      this.errors.push(
        new RunbookError("schema", "a playbook is a list of steps, or a mapping with `tasks:`", {
          location: locOf(data) ?? { file, line: 1, col: 1 },
          hint: "start the file with `- name: ...` or with `tasks:`",
        }),
      );
    }
    if (!pb.name) pb.name = file.split("/").pop() ?? file;
    return pb;
  }

  /** The document form (or one play of a list of plays) into `pb`. */
  private document(pb: Playbook, data: unknown): void {
    const { file, dir } = pb;
    {
      const r = documentSchema.safeParse(data);
      if (!r.success) this.errors.push(...issuesToErrors(r.error, documentSchema, data, "", locOf(data), false));
      const doc = data as Record<string, unknown>;
      if (typeof doc.hosts === "string") pb.hosts = doc.hosts;
      if (doc.connection === "local" || doc.connection === "ssh") pb.connection = doc.connection;
      // Kept as written (with their YAML positions, for errors): rendered when the play starts.
      if (PLAY_SETTINGS.some((k) => k in doc)) pb.settings = doc;
      if (doc.serial !== undefined && r.success)
        pb.serial = [doc.serial as number | string | (number | string)[]].flat();
      pb.name = typeof doc.name === "string" ? doc.name : "";
      pb.description = typeof doc.description === "string" ? doc.description : "";
      if (doc.vars && typeof doc.vars === "object" && !Array.isArray(doc.vars))
        pb.vars = doc.vars as Record<string, unknown>;
      if (Array.isArray(doc.vars_files)) {
        for (const [i, f] of doc.vars_files.entries()) {
          if (typeof f !== "string") continue;
          const at = valueLocOf(doc.vars_files, i);
          // A templated path (`vars/{{ env_name }}.yml`) is rendered with the play's vars and -e, as Ansible does.
          const path = f.includes("{{") ? this.guard(() => renderString(f, varsFilesScope(pb, this.options), at)) : f;
          if (path === undefined) continue;
          const vars = this.guard(() => readVarsFile(resolve(dir, path), at));
          if (vars) mergeWithLocations(pb.varsFiles, vars);
        }
      }
      pb.tasks = this.steps(doc.tasks, file, "tasks");
      pb.handlers = this.steps(doc.handlers, file, "handlers", true);
      this.uniqueHandlerNames(pb.handlers);
    }
  }
}

/** A list whose first entry is a mapping with `hosts:` is a list of plays (Ansible's playbook form), not steps. */
function isPlayList(data: unknown[]): boolean {
  const first = data[0];
  return first !== null && typeof first === "object" && !Array.isArray(first) && "hosts" in first;
}

/** Load and validate a playbook; throws RunbookErrors listing every problem found. */
export function loadPlaybook(path: string, options: LoadOptions = {}): Playbook {
  const loader = new Loader(options);
  let pb: Playbook | undefined;
  try {
    pb = loader.playbook(path);
  } catch (e) {
    if (e instanceof RunbookError) loader.errors.push(e);
    else throw e;
  }
  if (loader.errors.length || !pb) throw new RunbookErrors(loader.errors);
  return pb;
}

export { keyLocOf };

/** What a `vars_files` path may name: play vars (themselves rendered first) and -e, with env and runbook. */
function varsFilesScope(pb: Playbook, options: LoadOptions): Record<string, unknown> {
  const scope: Record<string, unknown> = { env: options.env ?? process.env, ...options.extraVars };
  for (const [k, v] of Object.entries(pb.vars)) {
    if (k in scope) continue;
    try {
      scope[k] = typeof v === "string" ? renderString(v, scope) : v;
    } catch {
      // a var that needs facts or results is not for a file name: left out, so the path names it as undefined
    }
  }
  scope.vars = { ...scope };
  return scope;
}
