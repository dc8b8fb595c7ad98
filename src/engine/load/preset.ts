import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { RunbookError } from "../errors.js";
import { issuesToErrors } from "../schema/zod-issues.js";
import { didYouMeanHint } from "../suggest.js";
import { readYamlFile, realPath } from "./files.js";
import type { LoadedPreset, PresetParam, Step } from "./model.js";
import type { Loader } from "./playbook.js";
import { listPresets, presetSearchPaths, resolvePreset } from "./preset-resolve.js";
import { keyLocOf, locOf, valueLocOf } from "./yaml.js";

const paramSchema = z
  .object({
    type: z.enum(["string", "number", "boolean", "list", "map"]).describe("The parameter's type"),
    required: z.boolean().optional().describe("The caller must pass it"),
    default: z.unknown().optional().describe("Value when not passed; may be a template (e.g. {{ facts.home }})"),
    enum: z.array(z.unknown()).optional().describe("The allowed values"),
    description: z.string().optional().describe("What it is for, shown by `runbook presets show`"),
  })
  .strict();

export const presetFileSchema = z
  .object({
    name: z.string().describe("The preset's name"),
    description: z.string().optional().describe("One line shown by `runbook presets`"),
    version: z.string().optional().describe("The preset's own version"),
    parameters: z
      .record(z.string().regex(/^[A-Za-z_]\w*$/), paramSchema)
      .optional()
      .describe("Typed parameters, passed with `with:`"),
    tasks: z.array(z.unknown()).describe("The steps; parameters are under `params.`"),
    returns: z
      .record(z.string().regex(/^[A-Za-z_]\w*$/), z.string())
      .optional()
      .describe(
        'Values for later steps, templates over `params` and `facts` (e.g. `bin: "{{ params.install_dir }}/istioctl"`): set as `<preset name>.<key>` (`istio.bin`; `-` in the name becomes `_`) when the preset step is reached, also when its steps are skipped',
      ),
  })
  .strict();

/** Loaded presets by real folder, with the problems found loading them (reported again on every use). */
const cache = new Map<string, { preset: LoadedPreset; errors: RunbookError[] }>();

function typeOk(type: PresetParam["type"], v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "list":
      return Array.isArray(v);
    case "map":
      return v !== null && typeof v === "object" && !Array.isArray(v);
  }
}

/** Check one parameter value against its declaration: type and enum. Returns a message or undefined. */
export function checkParam(name: string, p: PresetParam, v: unknown): string | undefined {
  if (!typeOk(p.type, v))
    return `parameter \`${name}\` must be a ${p.type}, got ${v === null ? "null" : `${Array.isArray(v) ? "a list" : typeof v} ${JSON.stringify(v)}`}`;
  if (p.enum && !p.enum.some((e) => e === v))
    return `parameter \`${name}\` must be one of ${p.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(v)}`;
  return undefined;
}

/** Load the preset in a folder (for `runbook presets show`). */
export function loadPresetDir(dir: string, origin: string, loader: Loader): LoadedPreset {
  return readPreset(dir, origin, loader);
}

function readPreset(dir: string, origin: string, loader: Loader): LoadedPreset {
  const file = join(dir, "preset.yml");
  const data = readYamlFile(file, "preset");
  const r = presetFileSchema.safeParse(data);
  if (!r.success) {
    loader.errors.push(...issuesToErrors(r.error, presetFileSchema, data, "", locOf(data), false));
    throw new RunbookError("preset", `${file}: invalid preset`, { location: locOf(data) });
  }
  const parameters: Record<string, PresetParam> = {};
  for (const [k, p] of Object.entries(r.data.parameters ?? {}))
    parameters[k] = { ...p, required: p.required ?? false } as PresetParam;
  const readmePath = join(dir, "README.md");
  const preset: LoadedPreset = {
    name: r.data.name,
    description: r.data.description ?? "",
    dir,
    file,
    parameters,
    tasks: [],
    returns: r.data.returns ?? {},
    readme: existsSync(readmePath) ? readFileSync(readmePath, "utf8") : undefined,
    origin,
  };
  preset.tasks = loader.steps((data as Record<string, unknown>).tasks, file, "tasks");
  return preset;
}

/** Resolve, load (once per folder) and statically check the `with:` of a `preset:` step. */
export function loadPreset(step: Step, loader: Loader): void {
  const name = step.args as string;
  const at = valueLocOf(step.raw, "preset");
  // A preset used inside another preset (or an included file) still finds the playbook's presets/.
  const playbookDir = loader.playbookDir ?? step.baseDir;
  const paths = presetSearchPaths(loader.options.presetPaths, loader.options.env);
  const found = resolvePreset(name, step.baseDir, playbookDir, paths);
  if (!found) {
    const names = listPresets(playbookDir, paths).map((p) => p.name);
    throw new RunbookError("preset", `preset \`${name}\` not found`, {
      location: at,
      hint: didYouMeanHint(name, names) ?? `found: ${names.join(", ") || "none"}; see \`runbook presets\``,
      details: [
        "looked in: ./presets/, RUNBOOK_PRESET_PATH and --preset-path, node_modules packages, the bundled presets",
      ],
    });
  }
  const real = realPath(found.dir);
  if (loader.presetChain.includes(real)) {
    throw new RunbookError("include-cycle", `preset \`${name}\` uses itself`, {
      location: at,
      details: [...loader.presetChain, real].map((p) => `-> ${p}`),
    });
  }
  let cached = cache.get(real);
  if (cached) {
    // A preset with broken steps must fail every playbook that uses it, not only the first one loaded.
    for (const e of cached.errors) if (!loader.errors.includes(e)) loader.errors.push(e);
  } else {
    const before = loader.errors.length;
    loader.presetChain.push(real);
    try {
      cached = { preset: readPreset(found.dir, found.origin, loader), errors: [] };
    } finally {
      loader.presetChain.pop();
    }
    cached.errors = loader.errors.slice(before);
    cache.set(real, cached);
  }
  const preset = cached.preset;
  step.preset = preset;
  checkWith(step, preset, loader);
}

function checkWith(step: Step, preset: LoadedPreset, loader: Loader): void {
  const raw = step.raw.with ?? {};
  // A `with:` that is not a mapping is a schema error already; its characters are not parameter names.
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return;
  const given = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(given)) {
    const p = preset.parameters[k];
    if (!p) {
      loader.errors.push(
        new RunbookError("preset-param", `preset \`${preset.name}\` has no parameter \`${k}\``, {
          location: keyLocOf(given, k),
          hint:
            didYouMeanHint(k, Object.keys(preset.parameters)) ??
            `parameters: ${Object.keys(preset.parameters).join(", ") || "none"}`,
        }),
      );
      continue;
    }
    if (typeof v === "string" && v.includes("{{")) continue;
    const msg = checkParam(k, p, v);
    if (msg) loader.errors.push(new RunbookError("preset-param", msg, { location: valueLocOf(given, k) }));
  }
  for (const [k, p] of Object.entries(preset.parameters)) {
    if (p.required && !(k in given)) {
      loader.errors.push(
        new RunbookError("preset-param", `preset \`${preset.name}\` needs parameter \`${k}\``, {
          location: keyLocOf(step.raw, "with") ?? keyLocOf(step.raw, "preset"),
          hint: `add it under \`with:\`${p.description ? ` (${p.description})` : ""}`,
        }),
      );
    }
  }
}

export function clearPresetCache(): void {
  cache.clear();
}
