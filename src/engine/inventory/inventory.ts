import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { RunbookError } from "../errors.js";
import { emptyData, ensureGroup, ensureHost, type InventoryData } from "./model.js";
import { parseIniInventory } from "./parse-ini.js";
import { parseYamlInventory } from "./parse-yaml.js";
import { readNamedVars } from "./vars-dirs.js";

/** One host with its groups and its variables merged at Ansible's precedence. */
export interface InventoryHost {
  name: string;
  /** Every group the host is in, `all` first, then by depth and name (as Ansible orders them). */
  groups: string[];
  vars: Record<string, unknown>;
}

export interface Inventory {
  /** Hosts in the order they were first written. */
  hosts: Map<string, InventoryHost>;
  /** Group name → every host in it or in its descendants, in inventory order (`groups` in templates). */
  groups: Map<string, string[]>;
}

/** A source given to `-i`: a file path or a comma list (`pi1,pi2,`). */
function isHostList(source: string): boolean {
  return source.includes(",") && !existsSync(source);
}

/** Read one inventory source into `data`; returns the folder whose group_vars/host_vars apply. */
function readSource(source: string, data: InventoryData, cwd: string): string | undefined {
  if (isHostList(source)) {
    for (const name of source.split(",").map((s) => s.trim())) {
      if (!name) continue;
      ensureHost(data, name);
      const ungrouped = ensureGroup(data, "ungrouped");
      if (!ungrouped.hosts.includes(name)) ungrouped.hosts.push(name);
    }
    return undefined;
  }
  const file = resolve(cwd, source);
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      throw new RunbookError("usage", `inventory ${source} is a folder`, {
        hint: "give the inventory file inside it (e.g. inventory.yml); group_vars/ beside it are read",
      });
    }
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof RunbookError) throw e;
    throw new RunbookError("usage", `cannot read inventory ${source}: ${(e as Error).message}`, {
      hint: "give an inventory file (YAML or INI) or a comma list like `-i pi1,pi2,`",
      cause: e,
    });
  }
  if (looksLikeIni(file, text)) parseIniInventory(file, text, data);
  else parseYamlInventory(file, text, data);
  return dirname(file);
}

function looksLikeIni(file: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(file)) return false;
  if (/\.ini$/i.test(file)) return true;
  // No telling extension: INI if the first meaningful line is a [section] or a bare host line.
  const first =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() && !/^\s*[#;]/.test(l))
      ?.trim() ?? "";
  return first.startsWith("[") || !/:(\s|$)/.test(first);
}

/** Group depth as Ansible computes it: `all` 0, its children 1, a child one deeper than its deepest parent. */
function depths(data: InventoryData): Map<string, number> {
  const depth = new Map<string, number>([["all", 0]]);
  const visit = (name: string, d: number, path: Set<string>) => {
    if (path.has(name)) {
      throw new RunbookError("schema", `group \`${name}\` is its own descendant`, {
        location: data.groups.get(name)?.loc,
      });
    }
    if ((depth.get(name) ?? -1) < d || name === "all") depth.set(name, d);
    const g = data.groups.get(name);
    if (!g) return;
    path.add(name);
    for (const c of g.children) visit(c, d + 1, path);
    path.delete(name);
  };
  visit("all", 0, new Set());
  return depth;
}

/**
 * Load and merge inventory sources. Precedence, lowest first, as Ansible's: inventory group vars
 * (by depth: all < parent < child, ties by name) < group_vars/ files (same order) < inventory host
 * vars < host_vars/ files. With several sources, later ones win at each level.
 */
export function loadInventory(sources: readonly string[], cwd = process.cwd()): Inventory {
  const data = emptyData();
  const bases: string[] = [];
  for (const s of sources) {
    const base = readSource(s, data, cwd);
    if (base && !bases.includes(base)) bases.push(base);
  }
  const depth = depths(data);
  // Hosts in no group but `all` are `ungrouped`, as Ansible places them.
  const direct = new Map<string, Set<string>>();
  for (const g of data.groups.values()) {
    for (const h of g.hosts) {
      const set = direct.get(h) ?? new Set<string>();
      direct.set(h, set);
      set.add(g.name);
    }
  }
  const ungrouped = ensureGroup(data, "ungrouped");
  for (const h of data.hosts.keys()) {
    const named = [...(direct.get(h) ?? [])].filter((g) => g !== "ungrouped");
    if (named.length === 0 && !ungrouped.hosts.includes(h)) ungrouped.hosts.push(h);
    if (named.length > 0) ungrouped.hosts = ungrouped.hosts.filter((x) => x !== h);
  }
  const parents = new Map<string, string[]>();
  for (const g of data.groups.values()) {
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  }
  const ancestors = (group: string, out: Set<string>) => {
    if (out.has(group)) return;
    out.add(group);
    for (const p of parents.get(group) ?? []) ancestors(p, out);
  };
  const groupFileVars = new Map<string, Record<string, unknown>>();
  const fileVars = (name: string, kind: "group_vars" | "host_vars") => {
    const out: Record<string, unknown> = {};
    for (const b of bases) Object.assign(out, readNamedVars(b, kind, name));
    return out;
  };
  const hosts = new Map<string, InventoryHost>();
  const members = new Map<string, string[]>([...data.groups.keys()].map((g) => [g, []]));
  for (const [name, entry] of data.hosts) {
    const set = new Set<string>(["all"]);
    for (const g of direct.get(name) ?? []) if (g !== "ungrouped") ancestors(g, set);
    if (ungrouped.hosts.includes(name)) set.add("ungrouped");
    const groups = [...set].sort((a, b) => (depth.get(a) ?? 1) - (depth.get(b) ?? 1) || a.localeCompare(b));
    const vars: Record<string, unknown> = {};
    for (const g of groups) Object.assign(vars, data.groups.get(g)?.vars);
    for (const g of groups) {
      if (!groupFileVars.has(g)) groupFileVars.set(g, fileVars(g, "group_vars"));
      Object.assign(vars, groupFileVars.get(g));
    }
    Object.assign(vars, entry.vars, fileVars(name, "host_vars"));
    hosts.set(name, { name, groups, vars });
    for (const g of groups) members.get(g)?.push(name);
  }
  return { hosts, groups: members };
}
