import { RunbookError } from "../errors.js";
import { keyLocOf, locOf, parseYaml, valueLocOf } from "../load/yaml.js";
import { addUnique, ensureGroup, ensureHost, type InventoryData } from "./model.js";
import { expandHostPattern } from "./ranges.js";

const GROUP_KEYS = new Set(["hosts", "children", "vars"]);

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Read an Ansible YAML inventory (`all:` / groups with `hosts`, `children`, `vars`) into `data`. */
export function parseYamlInventory(file: string, text: string, data: InventoryData): void {
  const root = parseYaml(file, text);
  if (root === null || root === undefined) return;
  if (!isMapping(root)) {
    throw new RunbookError("schema", "an inventory must be a mapping of group names (e.g. `all:`)", {
      location: locOf(root) ?? { file, line: 1, col: 1 },
    });
  }
  for (const [name, body] of Object.entries(root)) {
    readGroup(name, body, root, data, "all");
  }
}

function readGroup(name: string, body: unknown, parent: unknown, data: InventoryData, parentGroup: string): void {
  const loc = keyLocOf(parent, name);
  const group = ensureGroup(data, name, loc);
  if (name !== "all") addUnique(ensureGroup(data, parentGroup).children, name);
  if (body === null || body === undefined) return;
  if (!isMapping(body)) {
    throw new RunbookError("schema", `group \`${name}\` must be a mapping with hosts, children or vars`, {
      location: valueLocOf(parent, name),
    });
  }
  for (const key of Object.keys(body)) {
    if (!GROUP_KEYS.has(key)) {
      throw new RunbookError("unknown-key", `unknown key \`${key}\` in group \`${name}\``, {
        location: keyLocOf(body, key),
        hint: "a group takes `hosts`, `children` and `vars`; a host goes under `hosts:`",
      });
    }
  }
  const { hosts, children, vars } = body;
  if (vars !== undefined && vars !== null) {
    if (!isMapping(vars)) {
      throw new RunbookError("schema", `\`vars\` of group \`${name}\` must be a mapping`, {
        location: valueLocOf(body, "vars"),
      });
    }
    Object.assign(group.vars, vars);
  }
  if (hosts !== undefined && hosts !== null) {
    if (!isMapping(hosts)) {
      throw new RunbookError("schema", `\`hosts\` of group \`${name}\` must be a mapping of host names`, {
        location: valueLocOf(body, "hosts"),
        hint: "write `hosts:` then one `name:` per line (a host without vars takes an empty value)",
      });
    }
    for (const [pattern, hvars] of Object.entries(hosts)) {
      const hloc = keyLocOf(hosts, pattern);
      if (hvars !== null && hvars !== undefined && !isMapping(hvars)) {
        throw new RunbookError("schema", `host \`${pattern}\` must map to its vars (or nothing)`, {
          location: valueLocOf(hosts, pattern),
        });
      }
      for (const hostName of expandHostPattern(pattern, hloc)) {
        const host = ensureHost(data, hostName, hloc);
        if (hvars) Object.assign(host.vars, hvars);
        addUnique(group.hosts, hostName);
      }
    }
  }
  if (children !== undefined && children !== null) {
    if (!isMapping(children)) {
      throw new RunbookError("schema", `\`children\` of group \`${name}\` must be a mapping of group names`, {
        location: valueLocOf(body, "children"),
      });
    }
    for (const [child, childBody] of Object.entries(children)) readGroup(child, childBody, children, data, name);
  }
}
