import type { SourceLocation } from "../source.js";

/** A group as written in one or more inventory sources, before variables are resolved. */
export interface InventoryGroup {
  name: string;
  /** Hosts listed directly under the group, in the order written. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  loc?: SourceLocation | undefined;
}

export interface InventoryHostEntry {
  name: string;
  /** Vars written on the host in the inventory file (YAML host mapping or INI host line). */
  vars: Record<string, unknown>;
  loc?: SourceLocation | undefined;
}

/** What a parser returns: groups and hosts in the order they were first seen. */
export interface InventoryData {
  groups: Map<string, InventoryGroup>;
  hosts: Map<string, InventoryHostEntry>;
}

export function emptyData(): InventoryData {
  const data: InventoryData = { groups: new Map(), hosts: new Map() };
  ensureGroup(data, "all");
  ensureGroup(data, "ungrouped");
  return data;
}

export function ensureGroup(data: InventoryData, name: string, loc?: SourceLocation): InventoryGroup {
  let g = data.groups.get(name);
  if (!g) {
    g = { name, hosts: [], children: [], vars: {}, loc };
    data.groups.set(name, g);
  }
  return g;
}

export function ensureHost(data: InventoryData, name: string, loc?: SourceLocation): InventoryHostEntry {
  let h = data.hosts.get(name);
  if (!h) {
    h = { name, vars: {}, loc };
    data.hosts.set(name, h);
  }
  return h;
}

export function addUnique(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
