import "./regexp-guard.js";
import { Environment, type ParseError } from "@marcbachmann/cel-js";
import { RunbookError } from "./errors.js";
import { LAZY } from "./lazy.js";
import { offsetLocation, type SourceLocation } from "./source.js";
import { didYouMeanHint } from "./suggest.js";
import { containsUnknown, isUnknown, type UnknownInfo } from "./unknown.js";

/**
 * CEL's heterogeneous equality makes `r.rc == "1"` silently false (an int is never a string), so a
 * condition written with the wrong type would quietly skip or run a step. Here `==`/`!=` between two
 * different kinds of value is an error instead; numbers still compare across int/uint/double, and
 * anything may be compared with null.
 */
class TypeMismatch extends Error {
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super(`${left} compared with ${right}`);
  }
}
const env = new Environment({ unlistedVariablesAreDyn: true });
const KINDS = [
  "int",
  "uint",
  "double",
  "string",
  "bool",
  "bytes",
  "list",
  "map",
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
];
const NUMERIC = new Set(["int", "uint", "double"]);
for (const a of KINDS) {
  for (const b of KINDS) {
    if (a === b || (NUMERIC.has(a) && NUMERIC.has(b))) continue;
    try {
      // Registering `==` registers `!=` with it.
      env.registerOperator(`${a} == ${b}`, () => {
        throw new TypeMismatch(a, b);
      });
    } catch {
      // already defined by CEL (a real overload): keep CEL's meaning
    }
  }
}
const parse = (source: string) => env.parse(source);

type Compiled = ReturnType<typeof parse>;
const cache = new Map<string, Compiled>();

/** The outcome of a condition: decided now, or only when the playbook runs (during a plan). */
export type Condition = { known: true; value: boolean } | { known: false; waitsFor: UnknownInfo };

// CEL integers are int64; JS numbers from YAML and results become BigInt when they are whole,
// so `install.rc == 0` and `replicas + 1` type-check as CEL users expect.
const converted = new WeakMap<object, unknown>();
function toCel(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v !== "object" || v === null || isUnknown(v)) return v;
  // Lazy objects (facts) are converted field by field as CEL reads them, so unread facts cost nothing.
  if ((v as { [LAZY]?: boolean })[LAZY]) return new Proxy(v, { get: (t, p) => toCel(Reflect.get(t, p)) });
  // Only frozen values (registered results) are cached: anything else may change between evaluations.
  const frozen = Object.isFrozen(v);
  const hit = frozen ? converted.get(v) : undefined;
  if (hit !== undefined) return hit;
  let out: unknown;
  if (Array.isArray(v)) out = v.map(toCel);
  else if (v instanceof Date || v instanceof Uint8Array) out = v;
  else {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) o[k] = toCel((v as Record<string, unknown>)[k]);
    out = o;
  }
  if (frozen) converted.set(v, out);
  return out;
}

function fromCel(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, fromCel(x)]));
  return v;
}

function compile(source: string, location: SourceLocation | undefined): Compiled {
  let fn = cache.get(source);
  if (fn) return fn;
  if (source.includes("{{")) {
    throw new RunbookError("expression", "conditions are CEL expressions, not templates", {
      location,
      hint: `expressions are CEL, drop the {{ }}: \`${source.replace(/\{\{\s*|\s*\}\}/g, "").trim()}\``,
    });
  }
  try {
    fn = parse(source);
  } catch (e) {
    throw celError(e as ParseError, source, location, "syntax error in expression");
  }
  cache.set(source, fn);
  return fn;
}

function mismatchOf(e: unknown): TypeMismatch | undefined {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) if (c instanceof TypeMismatch) return c;
  const m = /^(\S+) compared with (\S+)/.exec(String((e as Error)?.message));
  return m ? new TypeMismatch(m[1]!, m[2]!) : undefined;
}

function celError(e: Error, source: string, location: SourceLocation | undefined, prefix: string): RunbookError {
  const first = String(e.message).split("\n")[0] ?? "";
  // cel-js draws its own caret under the expression; use its column to point into the YAML.
  const caretLine = String(e.message)
    .split("\n")
    .find((l) => /^\s*\^/.test(l));
  const srcLine = String(e.message)
    .split("\n")
    .find((l) => /^>\s+\d+ \| /.test(l));
  let loc = location;
  if (location && caretLine && srcLine) {
    const col = caretLine.indexOf("^") - srcLine.indexOf("| ") - 1;
    if (col >= 0) loc = offsetLocation(location, 1, col + 1);
  }
  let hint: string | undefined;
  if (/ and | or | not /.test(` ${source} `)) hint = "CEL uses `&&`, `||` and `!` instead of and/or/not";
  else if (/no such overload/.test(first))
    hint = 'CEL does not mix types: compare like with like, e.g. `x == 1` for an int, `x == "1"` for a string';
  return new RunbookError("expression", `${prefix}: ${first}`, { location: loc, hint, details: [`in: ${source}`] });
}

/** Root identifiers the expression reads (for "decided at run time" and did-you-mean). */
export function identifiers(source: string): string[] {
  const stripped = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out = new Set<string>();
  for (const m of stripped.matchAll(/(?<![.\w])([A-Za-z_]\w*)(?!\s*\()/g)) {
    const id = m[1]!;
    if (!["true", "false", "null", "in"].includes(id)) out.add(id);
  }
  return [...out];
}

/**
 * Evaluate a condition. A YAML boolean is taken as is; a string is CEL and must give a boolean.
 * If it reads a value only known at run time, the answer is "decided at run time".
 */
export function evaluateCondition(
  expr: unknown,
  scope: Record<string, unknown>,
  location: SourceLocation | undefined,
): Condition {
  if (typeof expr === "boolean") return { known: true, value: expr };
  if (typeof expr !== "string") {
    throw new RunbookError("expression", `a condition must be a CEL expression or a boolean, not ${typeName(expr)}`, {
      location,
    });
  }
  const fn = compile(expr, location);
  const ids = identifiers(expr);
  for (const id of ids) {
    const u = containsUnknown(scope[id]);
    if (u) return { known: false, waitsFor: u };
  }
  const ctx: Record<string, unknown> = Object.create(null);
  for (const id of ids) if (Object.hasOwn(scope, id)) ctx[id] = toCel(scope[id]);
  let value: unknown;
  try {
    value = fn(ctx);
  } catch (e) {
    const mismatch = mismatchOf(e);
    if (mismatch) {
      throw new RunbookError("expression", `condition \`${expr}\` compares ${mismatch.left} with ${mismatch.right}`, {
        location,
        hint: 'a comparison of different types is an error, not false; compare like with like: `r.rc == 1` for an int, `string(r.rc) == "1"` as text',
      });
    }
    const unknownVar = /Unknown variable: (\w+)/.exec(String((e as Error).message));
    if (unknownVar) {
      throw new RunbookError("expression", `undefined variable \`${unknownVar[1]}\` in expression`, {
        location,
        hint:
          didYouMeanHint(unknownVar[1]!, Object.keys(scope)) ??
          `test for it with \`"${unknownVar[1]}" in vars\` or define it under \`vars:\``,
        details: [`in: ${expr}`],
      });
    }
    throw celError(e as Error, expr, location, "expression failed");
  }
  if (typeof value !== "boolean") {
    const shown = typeof value === "string" ? `the string ${JSON.stringify(value)}` : typeName(fromCel(value));
    throw new RunbookError("expression", `condition \`${expr}\` gave ${shown}, not a boolean`, {
      location,
      hint:
        typeof value === "string"
          ? `strings are never truthy here; compare explicitly, e.g. \`${expr} == "true"\`, or pass a typed value (-e flag=false is a boolean)`
          : "conditions must be true or false; compare explicitly (e.g. `size(x) > 0`)",
    });
  }
  return { known: true, value };
}

/** Evaluate an expression to any value (for future use in `set_vars` or `assert` messages). */
export function evaluateValue(expr: string, scope: Record<string, unknown>, location?: SourceLocation): unknown {
  const fn = compile(expr, location);
  const ctx: Record<string, unknown> = Object.create(null);
  for (const id of identifiers(expr)) if (Object.hasOwn(scope, id)) ctx[id] = toCel(scope[id]);
  try {
    return fromCel(fn(ctx));
  } catch (e) {
    const mismatch = mismatchOf(e);
    if (!mismatch) throw e;
    throw new RunbookError("expression", `\`${expr}\` compares ${mismatch.left} with ${mismatch.right}`, { location });
  }
}

/** Check syntax only (validate): throws a located error on a bad expression. */
export function checkExpression(expr: unknown, location: SourceLocation | undefined): void {
  if (typeof expr === "string") compile(expr, location);
  else if (typeof expr !== "boolean") {
    throw new RunbookError("expression", `a condition must be a CEL expression or a boolean, not ${typeName(expr)}`, {
      location,
    });
  }
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `a ${typeof v}`;
}
