import Handlebars from "handlebars";
import { stringify as toYamlString } from "yaml";
import { RunbookError } from "./errors.js";
import { locOf, valueLocOf } from "./load/yaml.js";
import { offsetLocation, type SourceLocation } from "./source.js";
import { didYouMeanHint } from "./suggest.js";
import { isUnknown, unknownInfo, unknownMarker } from "./unknown.js";

type Scope = Record<string, unknown>;

// One Handlebars instance for the whole process: noEscape (we render YAML and shell, not HTML), strict.
const hb = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** Helpers get Handlebars' options object as their last argument; drop it. */
function args(a: unknown[]): unknown[] {
  return a.slice(0, -1);
}

function str(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function indentText(n: number, text: string): string {
  const pad = " ".repeat(n);
  return text
    .split("\n")
    .map((l) => (l.length ? pad + l : l))
    .join("\n");
}

// indent/nindent take (N, text) like Helm, but (text, N) is accepted too.
function indentArgs(a: unknown[]): [number, string] {
  const [x, y] = a;
  return typeof x === "number" ? [x, str(y)] : [Number(y ?? 0), str(x)];
}

const helpers: Record<string, (...a: unknown[]) => unknown> = {
  default: (...a) => {
    const [v, fallback] = args(a);
    return v === undefined || v === null || v === "" ? fallback : v;
  },
  eq: (...a) => args(a)[0] === args(a)[1],
  ne: (...a) => args(a)[0] !== args(a)[1],
  lt: (...a) => (args(a)[0] as number) < (args(a)[1] as number),
  gt: (...a) => (args(a)[0] as number) > (args(a)[1] as number),
  and: (...a) => args(a).every(Boolean),
  or: (...a) => args(a).some(Boolean),
  not: (...a) => !args(a)[0],
  join: (...a) => {
    const [list, sep] = args(a);
    return Array.isArray(list) ? list.map(str).join(sep === undefined ? "," : String(sep)) : str(list);
  },
  split: (...a) => {
    const [s, sep] = args(a);
    return str(s).split(sep === undefined ? "," : String(sep));
  },
  upper: (...a) => str(args(a)[0]).toUpperCase(),
  lower: (...a) => str(args(a)[0]).toLowerCase(),
  trim: (...a) => str(args(a)[0]).trim(),
  replace: (...a) => {
    const [s, from, to] = args(a);
    return str(s).split(str(from)).join(str(to));
  },
  quote: (...a) => JSON.stringify(str(args(a)[0])),
  indent: (...a) => indentText(...indentArgs(args(a))),
  nindent: (...a) => `\n${indentText(...indentArgs(args(a)))}`,
  toYaml: (...a) => toYamlString(args(a)[0], { lineWidth: 0 }).replace(/\n$/, ""),
  toJson: (...a) => JSON.stringify(args(a)[0]),
  b64enc: (...a) => Buffer.from(str(args(a)[0]), "utf8").toString("base64"),
  b64dec: (...a) => Buffer.from(str(args(a)[0]), "base64").toString("utf8"),
  basename: (...a) => str(args(a)[0]).replace(/\/+$/, "").split("/").pop() ?? "",
  dirname: (...a) => {
    const s = str(args(a)[0]).replace(/\/+$/, "");
    const i = s.lastIndexOf("/");
    return i > 0 ? s.slice(0, i) : i === 0 ? "/" : ".";
  },
};
for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn);
// Handlebars' own `lookup`, limited to own properties and refusing object internals at run time too.
hb.registerHelper("lookup", (obj: unknown, field: unknown) => {
  const key = String(field);
  if (FORBIDDEN.has(key)) throw forbidden(key, undefined);
  return own(obj, key)?.value;
});

export const HELPER_NAMES = Object.keys(helpers);

// Carries a helper expression's value out of Handlebars, so `{{ default n 3 }}` can stay a number.
let captured: unknown;
hb.registerHelper("__runbook_keep", (value: unknown) => {
  captured = value;
  return "";
});

export function isTemplated(s: string): boolean {
  return s.includes("{{");
}

const SINGLE = /^\s*\{\{(?![{#/!>^&])\s*([^{}]*?)\s*\}\}\s*$/;
const PATH = /^[A-Za-z_@][\w-]*(?:(?:\.[\w-]+)|(?:\.?\[\d+\]))*$/;

function splitPath(path: string): string[] {
  return path
    .replace(/\.?\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean);
}

/**
 * Names a template may never read: with them a lookup reaches the object prototype and, from
 * there, `Function` (arbitrary JavaScript from a vars file). Variables are own data only.
 */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function forbidden(key: string, location: SourceLocation | undefined): RunbookError {
  return new RunbookError("template", `\`${key}\` cannot be read in a template`, {
    location,
    hint: "templates read only the playbook's own values (vars, facts, registered results), never JavaScript object internals",
  });
}

/** The value of `key` in `container` when it is the container's own property, else undefined. */
function own(container: unknown, key: string): { value: unknown } | undefined {
  if (container === null || typeof container !== "object" || !Object.hasOwn(container, key)) return undefined;
  const value = (container as Record<string, unknown>)[key];
  return typeof value === "function" ? undefined : { value };
}

/** Look a dotted path up in the scope; undefined variables are errors with a did-you-mean. */
function lookupPath(path: string, scope: Scope, origin: SourceLocation | undefined, col: number, line = 1): unknown {
  const parts = splitPath(path);
  let cur: unknown = scope;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (FORBIDDEN.has(key)) throw forbidden(key, origin ? offsetLocation(origin, line, col) : undefined);
    if (isUnknown(cur)) return (cur as Record<string, unknown>)[parts.slice(i).join(".")];
    const found = own(cur, key);
    if (!found) {
      const container = cur as Record<string, unknown> | null;
      const where = parts.slice(0, i).join(".");
      const candidates = container && typeof container === "object" ? Object.keys(container) : [];
      throw new RunbookError(
        "template",
        where ? `\`${where}\` has no field \`${key}\`` : `undefined variable \`${key}\``,
        {
          location: origin ? offsetLocation(origin, line, col) : undefined,
          hint:
            didYouMeanHint(key, candidates) ??
            (where ? undefined : 'define it under `vars:`, pass it with `-e`, or use `{{ default x "..." }}`'),
        },
      );
    }
    cur = found.value;
  }
  return cur;
}

type AstNode = { type?: string; parts?: string[]; original?: unknown; loc?: hbs.AST.SourceLocation };

/** Refuse, before anything renders, every path segment or `lookup` key that reaches object internals. */
function checkAst(node: unknown, origin: SourceLocation | undefined): void {
  if (Array.isArray(node)) {
    for (const n of node) checkAst(n, origin);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as AstNode & Record<string, unknown>;
  const at = () => (origin && n.loc ? offsetLocation(origin, n.loc.start.line, n.loc.start.column + 1) : origin);
  if (n.type === "PathExpression") {
    for (const part of n.parts ?? []) if (FORBIDDEN.has(part)) throw forbidden(part, at());
  }
  if (n.type === "StringLiteral" && typeof n.original === "string" && FORBIDDEN.has(n.original)) {
    throw forbidden(n.original, at());
  }
  for (const [k, v] of Object.entries(n)) if (k !== "loc" && v && typeof v === "object") checkAst(v, origin);
}

// Handlebars sees the scope through this view: own properties only, no functions, and objects that
// print as JSON in a string context (`{{ item }}` of a map is `{"a":1}`, not `[object Object]`).
const views = new WeakMap<object, object>();
const targets = new WeakMap<object, object>();
function view(v: unknown): unknown {
  if (v === null || typeof v !== "object" || isUnknown(v)) return typeof v === "function" ? undefined : v;
  let p = views.get(v);
  if (!p) {
    const t = v;
    // The proxy wraps an empty stand-in, not `t`: results are frozen, and a proxy of a frozen object
    // must hand out its raw values (a Proxy invariant), which would bypass this view one level down.
    p = new Proxy(Array.isArray(t) ? [] : {}, {
      get(_s, prop) {
        if (prop === Symbol.toPrimitive) return () => JSON.stringify(t);
        if (typeof prop === "symbol") return Reflect.get(t, prop);
        if (Object.hasOwn(t, prop)) return view(Reflect.get(t, prop));
        // Array methods, for helpers (join, each): templates cannot name them (checkAst, lookup).
        return Array.isArray(t) && typeof (Array.prototype as unknown as Scope)[prop] === "function"
          ? Reflect.get(t, prop)
          : undefined;
      },
      has: (_s, prop) => (typeof prop === "symbol" ? prop in t : Object.hasOwn(t, prop)),
      ownKeys: () => Reflect.ownKeys(t),
      getOwnPropertyDescriptor(s, prop) {
        const d = Reflect.getOwnPropertyDescriptor(t, prop);
        if (!d) return undefined;
        // An array's `length` is non-configurable on the stand-in too, and must be reported so.
        if (Array.isArray(t) && prop === "length")
          return { ...Reflect.getOwnPropertyDescriptor(s, prop), value: d.value };
        return {
          value: view(d.get ? undefined : d.value),
          writable: false,
          enumerable: d.enumerable,
          configurable: true,
        };
      },
    });
    views.set(v, p);
    targets.set(p, v);
  }
  return p;
}
function unview(v: unknown): unknown {
  return v !== null && typeof v === "object" ? (targets.get(v) ?? v) : v;
}

function compile(source: string, origin: SourceLocation | undefined): Handlebars.TemplateDelegate {
  let fn = compiled.get(source);
  if (!fn) {
    const ast = hb.parse(source);
    checkAst(ast, origin);
    fn = hb.compile(ast, { noEscape: true, strict: true, knownHelpersOnly: false });
    compiled.set(source, fn);
  }
  return fn;
}

// `"missing" not defined in [object Object] - 1:3` → a RunbookError at that spot.
function translateError(e: unknown, source: string, scope: Scope, origin: SourceLocation | undefined): RunbookError {
  const err = e as { message?: string; lineNumber?: number; column?: number };
  const msg = String(err.message ?? e);
  const m = /^"([^"]+)" not defined in/.exec(msg);
  const pos = /- (\d+):(\d+)\s*$/.exec(msg);
  const line = err.lineNumber ?? (pos ? Number(pos[1]) : 1);
  const col = (err.column ?? (pos ? Number(pos[2]) : 0)) + 1;
  const location = origin ? offsetLocation(origin, line, col) : undefined;
  if (m) {
    return new RunbookError("template", `undefined variable \`${m[1]}\``, {
      location,
      hint:
        didYouMeanHint(m[1]!, Object.keys(scope)) ??
        'define it under `vars:`, pass it with `-e`, or use `{{ default x "..." }}`',
    });
  }
  if (/Parse error|Expecting|lexical error/i.test(msg)) {
    return new RunbookError("template", `template syntax error: ${msg.split("\n").slice(-1)[0]}`, {
      location,
      hint: source.includes("|")
        ? 'filters like `| default(...)` are Jinja; use helpers: `{{ default x "y" }}`'
        : undefined,
    });
  }
  const helper = /Missing helper: "([^"]+)"/.exec(msg);
  if (helper) {
    return new RunbookError("template", `unknown template helper \`${helper[1]}\``, {
      location,
      hint: didYouMeanHint(helper[1]!, HELPER_NAMES) ?? `helpers: ${HELPER_NAMES.join(", ")}`,
    });
  }
  return new RunbookError("template", `template error: ${msg}`, { location, cause: e });
}

/** Render a template string to a string. */
// A template made only of text and plain `{{ path }}` lookups (most of them) skips Handlebars: same
// strict lookups and the same output, without its per-call setup (10,000-step plans spend most time there).
type Simple = { parts: (string | { path: string; line: number; col: number })[] } | null;
const simpleCache = new Map<string, Simple>();
const MUSTACHE = /\{\{\s*([A-Za-z_][\w-]*(?:(?:\.[\w-]+)|(?:\.?\[\d+\]))*)\s*\}\}/g;

function simple(source: string): Simple {
  let hit = simpleCache.get(source);
  if (hit !== undefined) return hit;
  const parts: (string | { path: string; line: number; col: number })[] = [];
  let last = 0;
  for (const m of source.matchAll(MUSTACHE)) {
    // Line and column of the path inside the template (a template file has many lines).
    const at = m.index + m[0].indexOf(m[1]!);
    const lineStart = source.lastIndexOf("\n", at - 1) + 1;
    const line = lineStart === 0 ? 1 : source.slice(0, lineStart).split("\n").length;
    parts.push(source.slice(last, m.index), { path: m[1]!, line, col: at - lineStart + 1 });
    last = m.index + m[0].length;
  }
  parts.push(source.slice(last));
  const texts = parts.filter((p): p is string => typeof p === "string");
  // Anything else Handlebars would read (helpers, blocks, escapes, `this`) goes to Handlebars.
  hit =
    texts.some((t) => t.includes("{{") || t.includes("}}") || t.includes("\\")) ||
    parts.some((p) => typeof p !== "string" && p.path === "this")
      ? null
      : { parts };
  simpleCache.set(source, hit);
  return hit;
}

/** A value in a string context: objects and lists as JSON (as `toJson` gives), scalars as text. */
function show(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object" && !isUnknown(v)) return JSON.stringify(v);
  return String(v);
}

const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

export function renderString(source: string, scope: Scope, origin?: SourceLocation): string {
  if (!isTemplated(source)) return source;
  const fast = simple(source);
  if (fast) {
    let out = "";
    for (const p of fast.parts)
      out += typeof p === "string" ? p : show(lookupPath(p.path, scope, origin, p.col, p.line));
    return out;
  }
  try {
    return compile(source, origin)(view(scope), RUNTIME);
  } catch (e) {
    if (e instanceof RunbookError) throw e;
    throw translateError(e, source, scope, origin);
  }
}

/**
 * Render a field's value. A string that is a single `{{ expression }}` keeps the value's type
 * (a list stays a list); other strings render to strings; lists and maps are rendered deeply.
 */
export function renderValue(value: unknown, scope: Scope, origin?: SourceLocation): unknown {
  if (typeof value === "string") {
    if (!isTemplated(value)) return value;
    const single = SINGLE.exec(value);
    if (single) {
      const expr = single[1]!;
      const col = value.indexOf(expr) + 1;
      if (PATH.test(expr)) return lookupPath(expr, scope, origin, col);
      if (expr && !expr.startsWith("else")) {
        captured = undefined;
        renderString(`{{__runbook_keep (${expr})}}`, scope, origin);
        const v = unview(captured);
        captured = undefined;
        return v;
      }
    }
    return renderString(value, scope, origin);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => renderValue(v, scope, valueLocOf(value, i) ?? origin));
  }
  if (value && typeof value === "object" && !isUnknown(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, scope, valueLocOf(value, k) ?? origin);
    return out;
  }
  return value;
}

/** Render a file's text; errors point into the file itself. */
export function renderFile(text: string, scope: Scope, file: string): string {
  return renderString(text, scope, { file, line: 1, col: 1 });
}

export { locOf, unknownInfo, unknownMarker };
