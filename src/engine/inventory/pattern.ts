import picomatch from "picomatch";
import { RunbookError } from "../errors.js";
import type { Inventory } from "./inventory.js";

function termHosts(inv: Inventory, term: string): string[] {
  if (term === "all" || term === "*") return [...inv.hosts.keys()];
  const group = inv.groups.get(term);
  if (group) return group;
  if (inv.hosts.has(term)) return [term];
  if (term.startsWith("~")) {
    const re = new RegExp(term.slice(1));
    return [...inv.hosts.keys()].filter((h) => re.test(h)) ?? [];
  }
  if (/[*?[]/.test(term)) {
    const match = picomatch(term);
    const out = new Set<string>();
    for (const [g, members] of inv.groups) if (match(g)) for (const h of members) out.add(h);
    for (const h of inv.hosts.keys()) if (match(h)) out.add(h);
    return [...out];
  }
  return [];
}

/**
 * Hosts matched by an Ansible host pattern: `all`, `*`, names, groups, globs, `~regex`,
 * joined by `:` or `,`; `&x` intersects, `!x` excludes. As Ansible: unions first, then
 * intersections, then exclusions; the result keeps inventory order.
 */
export function selectHosts(inv: Inventory, pattern: string, limit?: string): string[] {
  const terms = pattern
    .split(/[,:]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (terms.length === 0) throw new RunbookError("usage", `empty host pattern \`${pattern}\``);
  const unmatched: string[] = [];
  const hostsOf = (t: string) => {
    const h = termHosts(inv, t);
    if (h.length === 0 && !inv.groups.has(t)) unmatched.push(t);
    return new Set(h);
  };
  const plus = terms.filter((t) => !t.startsWith("!") && !t.startsWith("&"));
  let selected = new Set<string>();
  for (const t of plus) for (const h of hostsOf(t)) selected.add(h);
  // A pattern of only `!x` / `&x` terms starts from every host.
  if (plus.length === 0) selected = new Set(inv.hosts.keys());
  for (const t of terms.filter((x) => x.startsWith("&"))) {
    const keep = hostsOf(t.slice(1));
    selected = new Set([...selected].filter((h) => keep.has(h)));
  }
  for (const t of terms.filter((x) => x.startsWith("!"))) {
    const drop = hostsOf(t.slice(1));
    selected = new Set([...selected].filter((h) => !drop.has(h)));
  }
  if (limit !== undefined) {
    const allowed = new Set(selectHosts(inv, limit));
    selected = new Set([...selected].filter((h) => allowed.has(h)));
  }
  return [...inv.hosts.keys()].filter((h) => selected.has(h));
}

/** The terms of a pattern that match no host or group (Ansible warns about them). */
export function unmatchedTerms(inv: Inventory, pattern: string): string[] {
  return pattern
    .split(/[,:]/)
    .map((t) => t.trim().replace(/^[!&]/, ""))
    .filter((t) => t && termHosts(inv, t).length === 0 && !inv.groups.has(t));
}
