import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RunbookError } from "../errors.js";
import { locOf, parseYaml } from "../load/yaml.js";

const EXTS = ["", ".yml", ".yaml", ".json"];

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function readVarsFile(file: string): Record<string, unknown> {
  const value = parseYaml(file, readFileSync(file, "utf8"));
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new RunbookError("vars-file", `${file} must hold a mapping of variables`, {
      location: locOf(value) ?? { file, line: 1, col: 1 },
    });
  }
  return value as Record<string, unknown>;
}

// Inside a `group_vars/NAME/` folder Ansible reads every file, in name order, descending into subfolders.
function readVarsTree(dir: string, into: Record<string, unknown>): void {
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith(".")) continue;
    const p = join(dir, entry);
    if (isDir(p)) readVarsTree(p, into);
    else if (EXTS.some((e) => e && entry.endsWith(e)) || !entry.includes(".")) Object.assign(into, readVarsFile(p));
  }
}

/**
 * The vars of `name` from `base/group_vars` or `base/host_vars`: a file NAME, NAME.yml, NAME.yaml,
 * NAME.json, or a folder NAME/ of such files (all merged, later names win), as Ansible reads them.
 */
export function readNamedVars(base: string, kind: "group_vars" | "host_vars", name: string): Record<string, unknown> {
  const dir = join(base, kind);
  if (!isDir(dir)) return {};
  const out: Record<string, unknown> = {};
  for (const ext of EXTS) {
    const p = join(dir, name + ext);
    if (ext === "" && isDir(p)) readVarsTree(p, out);
    else if (isFile(p)) Object.assign(out, readVarsFile(p));
  }
  return out;
}
