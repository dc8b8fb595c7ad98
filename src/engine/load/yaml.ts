import {
  type Alias,
  type Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parse,
  parseAllDocuments,
  parseDocument,
  type SchemaOptions,
  type Tags,
} from "yaml";
import { RunbookError } from "../errors.js";
import { registerSource, type SourceLocation, sourceText } from "../source.js";
import { fastParse } from "./yaml-fast.js";

/** Where a mapping or sequence, its keys and its values were written. */
interface NodeInfo {
  loc: SourceLocation;
  keys: Map<string | number, SourceLocation>;
  values: Map<string | number, SourceLocation>;
  /** Plain scalars that YAML 1.1 (kubectl) reads differently from the playbook's YAML 1.2: 0400, no, 1_000. */
  yaml11?: Map<string | number, unknown>;
}

/**
 * YAML 1.1 plain scalars as kubectl reads manifests (sigs.k8s.io/yaml on go-yaml v2): `0400` is octal, `no`
 * is false. go-yaml v2 keeps timestamps and sexagesimal numbers (`1:20`) as strings when the target is
 * untyped, so those tags are left out.
 */
export const KUBECTL_SCALARS = {
  version: "1.1",
  customTags: (tags: Tags) =>
    tags.filter((t) => {
      const tag = typeof t === "string" ? t : t.tag;
      const format = typeof t === "string" ? undefined : (t as { format?: string }).format;
      return tag !== "tag:yaml.org,2002:timestamp" && format !== "TIME";
    }),
} as const;

// The plain scalars whose YAML 1.1 value can differ from their YAML 1.2 one (checked only for these). 1.2's
// `0o400` is left alone: kubectl would read a string the API server rejects, so no working manifest has it.
const YAML11_CANDIDATE =
  /^([-+]?0[0-9_]+|[-+]?0b[01_]+|[-+.0-9]*_[-+.0-9_eE]*|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;

function yaml11Value(node: Node | null): { value: unknown } | undefined {
  if (!isScalar(node) || node.type !== "PLAIN" || typeof node.source !== "string") return undefined;
  return yaml11Of(node.source, node.value);
}

/** The YAML 1.1 value of a plain scalar's source, when it differs from its YAML 1.2 value. */
function yaml11Of(source: string, value12: unknown): { value: unknown } | undefined {
  if (!YAML11_CANDIDATE.test(source)) return undefined;
  const value = parse(source, KUBECTL_SCALARS) as unknown;
  return Object.is(value, value12) ? undefined : { value };
}

function noteYaml11(info: NodeInfo, key: string | number, node: Node | null): void {
  const v11 = yaml11Value(node);
  if (!v11) return;
  info.yaml11 ??= new Map();
  info.yaml11.set(key, v11.value);
}

/**
 * Re-read, in place, the plain scalars of a value written in the playbook as YAML 1.1 reads them (what
 * kubectl makes of an inline manifest). Values from templates and variables are left as they are.
 */
export function readAsYaml11(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  const alt = infos.get(value)?.yaml11;
  const obj = value as Record<string | number, unknown>;
  for (const [k, v] of alt ?? []) obj[k] = v;
  for (const child of Object.values(obj)) readAsYaml11(child);
}

// Plain JS values are what the engine works with; their positions live beside them, keyed by object identity.
const infos = new WeakMap<object, NodeInfo>();

export function locOf(value: unknown): SourceLocation | undefined {
  return typeof value === "object" && value !== null ? infos.get(value)?.loc : undefined;
}

export function keyLocOf(container: unknown, key: string | number): SourceLocation | undefined {
  if (typeof container !== "object" || container === null) return undefined;
  return infos.get(container)?.keys.get(key) ?? infos.get(container)?.values.get(key);
}

export function valueLocOf(container: unknown, key: string | number): SourceLocation | undefined {
  if (typeof container !== "object" || container === null) return undefined;
  const info = infos.get(container);
  return info?.values.get(key) ?? info?.keys.get(key) ?? info?.loc;
}

/** The location of the node at `path` below `root`, or of the nearest ancestor that has one. */
export function locAtPath(root: unknown, path: readonly PropertyKey[]): SourceLocation | undefined {
  let node: unknown = root;
  let best = locOf(root);
  for (const seg of path) {
    if (typeof node !== "object" || node === null || typeof seg === "symbol") break;
    const here = valueLocOf(node, seg as string | number);
    if (here) best = here;
    node = (node as Record<string | number, unknown>)[seg as string | number];
  }
  return best;
}

/** Give a value created by the engine the position of another (e.g. a normalised copy of a step). */
export function copyLocation(from: unknown, to: object): void {
  const info = typeof from === "object" && from !== null ? infos.get(from) : undefined;
  if (info) infos.set(to, info);
}

/** `Object.assign(to, from)` that keeps where each key and value of `from` was written. */
export function mergeWithLocations(to: Record<string, unknown>, from: Record<string, unknown>): void {
  Object.assign(to, from);
  const src = infos.get(from);
  if (!src) return;
  let dst = infos.get(to);
  if (!dst) {
    dst = { loc: src.loc, keys: new Map(), values: new Map() };
    infos.set(to, dst);
  }
  for (const [k, l] of src.keys) dst.keys.set(k, l);
  for (const [k, l] of src.values) dst.values.set(k, l);
}

export function setLocation(to: object, loc: SourceLocation): void {
  const existing = infos.get(to);
  if (existing) existing.loc = loc;
  else infos.set(to, { loc, keys: new Map(), values: new Map() });
}

function rangeLoc(file: string, lc: LineCounter, range: readonly number[] | null | undefined): SourceLocation {
  const start = lc.linePos(range?.[0] ?? 0);
  const end = lc.linePos(range?.[1] ?? range?.[0] ?? 0);
  return { file, line: start.line, col: start.col, endLine: end.line, endCol: end.col };
}

/**
 * Limits on what a document may expand to. An alias copies its anchor's value, so a dozen lines of
 * nested aliases ("billion laughs") would otherwise build billions of nodes; deep nesting would
 * overflow the stack. Both are user errors, found in milliseconds.
 */
export const YAML_LIMITS = { aliasedNodes: 100_000, depth: 256 };

interface Walk {
  seen: Set<Node>;
  /** Nodes (and KiB of scalar text) produced by expanding aliases so far. */
  aliased: number;
  inAlias: number;
  depth: number;
}

function newWalk(): Walk {
  return { seen: new Set(), aliased: 0, inAlias: 0, depth: 0 };
}

function convert(node: Node | null, doc: Document, file: string, lc: LineCounter, w: Walk): unknown {
  if (node === null) return null;
  if (w.inAlias > 0 && ++w.aliased > YAML_LIMITS.aliasedNodes) throw aliasLimit(file, lc, node);
  if (isAlias(node)) {
    const target = (node as Alias).resolve(doc);
    if (!target) return null;
    if (w.seen.has(target))
      throw new RunbookError("yaml", "recursive YAML alias", { location: rangeLoc(file, lc, node.range) });
    w.seen.add(target);
    w.inAlias++;
    try {
      return convert(target, doc, file, lc, w);
    } finally {
      w.inAlias--;
      w.seen.delete(target);
    }
  }
  if (isScalar(node)) {
    if (w.inAlias > 0 && typeof node.value === "string") {
      w.aliased += node.value.length >> 10;
      if (w.aliased > YAML_LIMITS.aliasedNodes) throw aliasLimit(file, lc, node);
    }
    return node.value;
  }
  if (++w.depth > YAML_LIMITS.depth) {
    throw new RunbookError("yaml", `YAML nested more than ${YAML_LIMITS.depth} levels deep`, {
      location: rangeLoc(file, lc, node.range),
      hint: "flatten the structure; no playbook, vars file or manifest needs this depth",
    });
  }
  try {
    return convertCollection(node, doc, file, lc, w);
  } finally {
    w.depth--;
  }
}

function aliasLimit(file: string, lc: LineCounter, node: Node): RunbookError {
  return new RunbookError("yaml", `YAML aliases expand to more than ${YAML_LIMITS.aliasedNodes} values`, {
    location: rangeLoc(file, lc, node.range),
    hint: "anchors (&a) and aliases (*a) that nest multiply in size; write the values out or use fewer levels",
  });
}

function convertCollection(node: Node, doc: Document, file: string, lc: LineCounter, w: Walk): unknown {
  if (isSeq(node)) {
    const out: unknown[] = [];
    const info: NodeInfo = { loc: rangeLoc(file, lc, node.range), keys: new Map(), values: new Map() };
    node.items.forEach((item, i) => {
      out.push(convert(item as Node, doc, file, lc, w));
      info.values.set(i, rangeLoc(file, lc, (item as Node | null)?.range));
      noteYaml11(info, i, item as Node | null);
    });
    infos.set(out, info);
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const info: NodeInfo = { loc: rangeLoc(file, lc, node.range), keys: new Map(), values: new Map() };
    // Keys copied in by a merge key: an explicit key before or after the merge overrides them.
    const mergedKeys = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      // `key: {{ var }}` unquoted parses as a flow mapping whose key is a mapping: say what was meant.
      if (keyNode && isMap(keyNode) && node.flow) {
        throw new RunbookError("yaml", "a template must be quoted: YAML read `{{ ... }}` as a mapping", {
          location: rangeLoc(file, lc, node.range),
          hint: 'quote the value: `key: "{{ var }}"`',
        });
      }
      const rawKey = keyNode && isScalar(keyNode) ? keyNode.value : convert(keyNode, doc, file, lc, w);
      const key = String(rawKey);
      const valueNode = pair.value as Node | null;
      // YAML merge keys (`<<: *defaults`) copy the aliased mapping's entries in, explicit keys win.
      if (key === "<<" && valueNode) {
        const merged = convert(valueNode, doc, file, lc, w);
        for (const src of Array.isArray(merged) ? merged : [merged]) {
          if (src && typeof src === "object") {
            for (const [k, v] of Object.entries(src)) {
              if (Object.hasOwn(out, k)) continue;
              out[k] = v;
              mergedKeys.add(k);
            }
          }
        }
        continue;
      }
      if (Object.hasOwn(out, key) && !mergedKeys.delete(key)) {
        throw new RunbookError("yaml", `duplicate key \`${key}\` in a mapping`, {
          location: rangeLoc(file, lc, keyNode?.range),
          hint: "YAML keeps only one of them; remove or rename the other",
        });
      }
      out[key] = convert(valueNode, doc, file, lc, w);
      info.keys.set(key, rangeLoc(file, lc, keyNode?.range));
      info.values.set(key, rangeLoc(file, lc, valueNode?.range ?? keyNode?.range));
      noteYaml11(info, key, valueNode);
    }
    infos.set(out, info);
    return out;
  }
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
}

function yamlError(
  file: string,
  lc: LineCounter,
  err: { message: string; pos: [number, number]; code?: string },
): RunbookError {
  const loc = rangeLoc(file, lc, err.pos);
  // The yaml library appends its own excerpt after a blank line; ours is rendered by the CLI.
  let message = err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (/Maximum call stack/.test(message)) message = "nested too deeply";
  let hint: string | undefined;
  const lineText = (sourceText(file) ?? "").split("\n")[loc ? loc.line - 1 : -1] ?? "";
  if (
    /Nested mappings are not allowed in compact mappings|Implicit map keys need to be/.test(message) &&
    lineText.includes("{{")
  ) {
    hint = 'a value that starts with `{{` must be quoted: `key: "{{ var }}"`';
  } else if (/Nested mappings|Implicit map keys|bad indentation/i.test(message)) {
    hint = /\S: /.test(lineText.replace(/^\s*(- )?[\w.-]+: /, ""))
      ? "a value that contains `: ` must be quoted (or use `key: >-` and the value on the next line)"
      : "check the indentation: keys of one mapping must start in the same column";
  } else if (/Map keys must be unique/.test(message)) {
    hint = "remove or rename one of the duplicate keys";
  } else if (/tab/i.test(message)) {
    hint = "YAML indentation must use spaces, not tabs";
  }
  return new RunbookError("yaml", `YAML syntax error: ${message}`, { location: loc, hint });
}

/** Parse one YAML document, keeping a location for every mapping, sequence, key and value. */
export function parseYaml(file: string, text: string): unknown {
  registerSource(file, text);
  const fast = parseYamlFast(file, text);
  if (fast) return fast.value;
  return parseYamlSlow(file, text);
}

/** The fast path (yaml-fast.ts); undefined sends the document to the `yaml` library. */
export function parseYamlFast(file: string, text: string): { value: unknown } | undefined {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return fastParse(
    text,
    (start, end) => rangeLoc(file, lc, [start, end]),
    (value, node) => infos.set(value, node),
    yaml11Of,
  );
}

/** The reference path: the `yaml` library's document model, with its error messages. */
export function parseYamlSlow(file: string, text: string): unknown {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, merge: false });
  const err = doc.errors[0];
  if (err) throw yamlError(file, lc, err as { message: string; pos: [number, number] });
  return convert(doc.contents as Node | null, doc, file, lc, newWalk());
}

/** Parse a multi-document YAML string (manifests); each document keeps its locations. */
/** `scalars`: another YAML version or schema for plain scalars (Kubernetes manifests are read as YAML 1.1). */
export function parseYamlAll(
  file: string,
  text: string,
  scalars: Pick<DocumentOptions & SchemaOptions, "version" | "customTags"> = {},
): unknown[] {
  registerSource(file, text);
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, ...scalars });
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw yamlError(file, lc, err as { message: string; pos: [number, number] });
    const v = convert(doc.contents as Node | null, doc, file, lc, newWalk());
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}
