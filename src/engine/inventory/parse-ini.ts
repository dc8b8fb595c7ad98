import { RunbookError } from "../errors.js";
import { registerSource, type SourceLocation } from "../source.js";
import { addUnique, ensureGroup, ensureHost, type InventoryData } from "./model.js";
import { expandHostPattern } from "./ranges.js";

/**
 * Ansible's INI value rules: host-line and `:vars` values that read as Python literals become
 * numbers and booleans (`True`/`False`); quotes are removed; anything else stays a string.
 */
export function iniValue(raw: string): unknown {
  const v = raw.trim();
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^-?\d+\.\d+$/.test(v)) return Number(v);
  if (v === "True" || v === "true") return true;
  if (v === "False" || v === "false") return false;
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) return v.slice(1, -1);
  return v;
}

/** Split a host line into words, keeping quoted values (`k="a b"`) together. */
function words(line: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], col: m.index + 1 });
  return out;
}

function stripComment(line: string): string {
  // A `#` or `;` starts a comment at the start of a line or after whitespace, outside quotes.
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if ((c === "#" || c === ";") && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Read an Ansible INI inventory: `[group]`, `[group:children]`, `[group:vars]`, host lines with key=value. */
export function parseIniInventory(file: string, text: string, data: InventoryData): void {
  registerSource(file, text);
  let section: { group: string; kind: "hosts" | "children" | "vars" } = { group: "ungrouped", kind: "hosts" };
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const line = stripComment(rawLine).trimEnd();
    const indent = line.length - line.trimStart().length;
    const loc = (col = indent + 1): SourceLocation => ({
      file,
      line: i + 1,
      col,
      endLine: i + 1,
      endCol: line.length + 1,
    });
    const body = line.trim();
    if (!body) return;
    const header = /^\[([^\]:]+)(?::(\w+))?\]$/.exec(body);
    if (header) {
      const [, group = "", kind = "hosts"] = header;
      if (kind !== "hosts" && kind !== "children" && kind !== "vars") {
        throw new RunbookError("schema", `unknown section kind \`:${kind}\` in \`${body}\``, {
          location: loc(),
          hint: "sections are [group], [group:children] and [group:vars]",
        });
      }
      ensureGroup(data, group, loc());
      section = { group, kind };
      return;
    }
    if (body.startsWith("[")) {
      throw new RunbookError("yaml", `malformed section header \`${body}\``, { location: loc() });
    }
    const group = ensureGroup(data, section.group);
    if (section.kind === "vars") {
      const eq = body.indexOf("=");
      if (eq <= 0) {
        throw new RunbookError("schema", `expected \`key=value\` in [${section.group}:vars], got \`${body}\``, {
          location: loc(),
        });
      }
      group.vars[body.slice(0, eq).trim()] = iniValue(body.slice(eq + 1));
      return;
    }
    if (section.kind === "children") {
      ensureGroup(data, body, loc());
      addUnique(group.children, body);
      return;
    }
    const [first, ...rest] = words(body);
    if (!first) return;
    const hostVars: Record<string, unknown> = {};
    for (const w of rest) {
      const eq = w.text.indexOf("=");
      if (eq <= 0) {
        throw new RunbookError("schema", `expected \`key=value\` after the host name, got \`${w.text}\``, {
          location: loc(indent + w.col),
          hint: "host lines are `name key=value key2=value2`",
        });
      }
      hostVars[w.text.slice(0, eq)] = iniValue(w.text.slice(eq + 1));
    }
    // `host:2222` is a port, as Ansible reads it (not for IPv6 addresses, which have several colons).
    let name = first.text;
    const port = /^([^:]+):(\d+)$/.exec(name);
    if (port) {
      name = port[1]!;
      hostVars.ansible_port = Number(port[2]);
    }
    for (const h of expandHostPattern(name, loc())) {
      Object.assign(ensureHost(data, h, loc()).vars, hostVars);
      addUnique(group.hosts, h);
    }
  });
  // Groups named in INI but not below another group hang off `all`.
  const all = ensureGroup(data, "all");
  const isChild = new Set([...data.groups.values()].flatMap((g) => g.children));
  for (const g of data.groups.keys()) if (g !== "all" && !isChild.has(g)) addUnique(all.children, g);
}
