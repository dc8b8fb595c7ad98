import {
  CHOMPING_MODE,
  COLLECTION_STYLE,
  CORE_SCHEMA,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  SCALAR_STYLE,
  type ScalarEvent,
} from "js-yaml";

// The fast path for plain YAML documents (issue 17): js-yaml's flat event stream, 4–5× faster than the `yaml`
// library's document model and a third of its memory on a 10,000-step playbook. It handles only what
// playbooks are made of (maps, sequences, scalars, one document) and returns undefined for anything else
// (anchors, aliases, tags, merge or duplicate keys, non-scalar keys, any syntax error), so that those go
// through the `yaml` library, whose values, locations and error messages stay the reference.
// test/load/yaml-fast.test.ts checks both agree on every YAML file in the repository.

/** [start, end) offsets of a node, as the `yaml` library's `range[0]` and `range[1]` give them. */
type Range = [number, number];

/** Where a mapping or sequence was written, and where each of its keys and values was; L is a location. */
export interface FastNode<L> {
  loc: L;
  keys: Map<string, L>;
  values: Map<string | number, L>;
  /** Plain scalars YAML 1.1 reads differently (see yaml.ts readAsYaml11). */
  yaml11?: Map<string | number, unknown>;
}

interface Open<L> {
  value: Record<string, unknown> | unknown[];
  node: FastNode<L>;
  range: Range;
  /** Where the last child's trailing comment and line break end (the `yaml` library's `range[2]`). */
  tail: number;
  flow: boolean;
  key?: { name: string; range: Range; loc: L } | undefined;
}

/**
 * The document's value, with `record` called for each mapping and sequence, or undefined when the slow path
 * must decide. `loc` turns a range into a location.
 */
export function fastParse<L>(
  text: string,
  loc: (start: number, end: number) => L,
  record: (value: object, node: FastNode<L>) => void,
  /** For a plain scalar: its YAML 1.1 value when that differs from the parsed one. */
  alt?: (source: string, value: unknown) => { value: unknown } | undefined,
): { value: unknown } | undefined {
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return undefined;
  }
  const stack: Open<L>[] = [];
  let root: unknown = null;
  let documents = 0;
  // Returns false when the value cannot be placed here the way the slow path would.
  const attach = (value: unknown, range: Range, tail: number, v11?: { value: unknown }): boolean => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      return true;
    }
    if (Array.isArray(top.value)) {
      top.node.values.set(top.value.length, loc(range[0], range[1]));
      if (v11) noteAlt(top.node, top.value.length, v11.value);
      top.value.push(value);
    } else if (top.key === undefined) {
      const name = String(value);
      // `__proto__` would set the object's prototype: the slow path decides what that key means.
      if (name === "<<" || name === "__proto__" || Object.hasOwn(top.value, name)) return false;
      top.key = { name, range, loc: loc(range[0], range[1]) };
      return true;
    } else {
      top.value[top.key.name] = value;
      if (v11) noteAlt(top.node, top.key.name, v11.value);
      top.node.keys.set(top.key.name, top.key.loc);
      top.node.values.set(top.key.name, range === top.key.range ? top.key.loc : loc(range[0], range[1]));
      top.key = undefined;
    }
    top.range[1] = Math.max(top.range[1], range[1]);
    top.tail = tail;
    return true;
  };
  for (const e of events) {
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1) return undefined;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const top = stack[stack.length - 1];
        if (e.anchorStart >= 0 || e.tagStart >= 0) return undefined;
        if (top && !Array.isArray(top.value) && top.key === undefined) return undefined;
        const value = e.type === EVENT_ID.MAPPING ? {} : [];
        const node: FastNode<L> = { loc: undefined as L, keys: new Map(), values: new Map() };
        stack.push({ value, node, range: [e.start, e.start], tail: e.start, flow: e.style === COLLECTION_STYLE.FLOW });
        break;
      }
      case EVENT_ID.SCALAR: {
        if (e.anchorStart >= 0 || e.tagStart >= 0) return undefined;
        const s = scalar(text, e, stack[stack.length - 1]);
        if (!s) return undefined;
        const block = e.style === SCALAR_STYLE.LITERAL_BLOCK || e.style === SCALAR_STYLE.FOLDED_BLOCK;
        // What the `yaml` library counts as the scalar's tail: an empty value keeps its line break (not its comment).
        const empty = e.valueStart < 0;
        const tail = block || (empty && text[s.range[1]] !== "#") ? s.range[1] : lineTail(text, s.range[1]);
        const v11 =
          alt && e.style === SCALAR_STYLE.PLAIN ? alt(text.slice(e.valueStart, e.valueEnd), s.value) : undefined;
        if (!attach(s.value, s.range, tail, v11)) return undefined;
        break;
      }
      case EVENT_ID.ALIAS:
        return undefined;
      case EVENT_ID.POP: {
        const done = stack.pop();
        if (!done) break;
        if (done.key !== undefined) return undefined;
        const r = done.range;
        let tail: number;
        if (done.flow) {
          r[1] = closingBracket(text, done.node.values.size === 0 ? r[0] + 1 : r[1]);
          tail = lineTail(text, r[1]);
        } else {
          // A block collection ends where its last child's line ends; comment lines indented into it belong to it.
          r[1] = done.tail;
          tail = indentedComments(text, r[1], r[0] - text.lastIndexOf("\n", r[0] - 1) - 1);
        }
        done.node.loc = loc(r[0], r[1]);
        record(done.value, done.node);
        if (!attach(done.value, r, tail)) return undefined;
        break;
      }
    }
  }
  return { value: root };
}

function scalar<L>(
  text: string,
  e: ScalarEvent,
  parent: Open<L> | undefined,
): { value: unknown; range: Range } | undefined {
  if (e.valueStart < 0) {
    // An empty value (`key:`) sits just after the colon and the blanks that follow it. In a sequence (`-` alone)
    // or at the top, leave it to the slow path.
    const key = parent?.key;
    if (!key) return undefined;
    const colon = text.indexOf(":", key.range[1]);
    if (colon < 0) return undefined;
    const at = skipBlanks(text, colon + 1);
    return { value: null, range: [at, at] };
  }
  const raw = getScalarValue(text, e);
  switch (e.style) {
    case SCALAR_STYLE.PLAIN:
      return { value: CORE_SCHEMA.resolveImplicitScalarTag(raw).value, range: [e.valueStart, e.valueEnd] };
    case SCALAR_STYLE.SINGLE_QUOTED:
    case SCALAR_STYLE.DOUBLE_QUOTED:
      return { value: raw, range: [e.valueStart - 1, e.valueEnd + 1] };
    default: {
      // A block scalar's range starts at its `|` or `>` indicator, on the line before its text.
      const header = text.lastIndexOf("\n", e.valueStart - 2);
      const line = text.slice(header + 1, e.valueStart);
      const at = Math.max(line.lastIndexOf("|"), line.lastIndexOf(">"));
      if (at < 0) return undefined;
      // It ends after its last line of text; trailing blank lines are its own only when kept (`|+`).
      let end = e.valueEnd;
      if (e.chomping !== CHOMPING_MODE.KEEP) {
        for (;;) {
          const prev = text.lastIndexOf("\n", end - 2);
          if (prev < e.valueStart - 1 || text.slice(prev + 1, end).trim() !== "") break;
          end = prev + 1;
        }
      }
      return { value: raw, range: [header + 1 + at, end] };
    }
  }
}

function skipBlanks(text: string, i: number): number {
  while (text[i] === " " || text[i] === "\t") i++;
  return i;
}

/** After a value: blanks, an optional comment, and one line break. */
function lineTail(text: string, i: number): number {
  i = skipBlanks(text, i);
  if (text[i] === "#") {
    const nl = text.indexOf("\n", i);
    i = nl < 0 ? text.length : nl;
  }
  if (text[i] === "\r" && text[i + 1] === "\n") return i + 2;
  return text[i] === "\n" ? i + 1 : i;
}

/**
 * From a line start: the end of the run of blank and comment lines that follows, when any comment in it is
 * indented at least `col` (the `yaml` library then gives the whole run to the collection), else `i`.
 */
function indentedComments(text: string, i: number, col: number): number {
  let at = i;
  let ours = false;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const next = nl < 0 ? text.length : nl + 1;
    const line = text.slice(at, next);
    const body = line.trimStart();
    if (body.startsWith("#")) ours ||= line.length - body.length >= col;
    else if (body !== "") break;
    at = next;
  }
  return ours ? at : i;
}

/** The offset just past the `]` or `}` that closes a flow collection whose last item ended at `from`. */
function closingBracket(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "]" || c === "}") return i + 1;
    if (c === "#") i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i);
  }
  return text.length;
}

function noteAlt<L>(node: FastNode<L>, key: string | number, value: unknown): void {
  node.yaml11 ??= new Map();
  node.yaml11.set(key, value);
}
