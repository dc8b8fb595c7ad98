import { z } from "zod";
import { RunbookError } from "../errors.js";
import { keyLocOf, locAtPath, valueLocOf } from "../load/yaml.js";
import type { SourceLocation } from "../source.js";
import { didYouMeanHint } from "../suggest.js";

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
};

const jsonCache = new WeakMap<z.ZodType, JsonSchema>();

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let js = jsonCache.get(schema);
  if (!js) {
    js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    jsonCache.set(schema, js);
  }
  return js;
}

/** The property names the schema allows for the object at `path` (for did-you-mean). */
function keysAt(schema: JsonSchema, path: readonly PropertyKey[]): string[] {
  let nodes: JsonSchema[] = [schema];
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const n of expand(nodes)) {
      if (typeof seg === "number" && n.items) next.push(n.items);
      else if (typeof seg === "string" && n.properties?.[seg]) next.push(n.properties[seg]);
      else if (typeof seg === "string" && typeof n.additionalProperties === "object") next.push(n.additionalProperties);
    }
    nodes = next;
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))];
}

function expand(nodes: JsonSchema[]): JsonSchema[] {
  const out: JsonSchema[] = [];
  const visit = (n: JsonSchema) => {
    out.push(n);
    for (const b of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(b);
  };
  nodes.forEach(visit);
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Is this value (or an ancestor on the path) a template, only checkable once rendered? */
function templatedOnPath(root: unknown, path: readonly PropertyKey[]): boolean {
  let cur = root;
  for (let i = 0; i <= path.length; i++) {
    if (typeof cur === "string" && cur.includes("{{")) return true;
    if (i === path.length || cur === null || typeof cur !== "object") return false;
    cur = (cur as Record<PropertyKey, unknown>)[path[i]!];
  }
  return false;
}

const TYPE_NAMES: Record<string, string> = {
  array: "a list",
  record: "a mapping",
  object: "a mapping",
  map: "a mapping",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** What an invalid_type or invalid_union issue expected, in words ("a string or a list"). */
function expectedOf(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "invalid_type") return [TYPE_NAMES[issue.expected] ?? issue.expected];
  if (issue.code === "invalid_union")
    return [
      ...new Set(
        issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0).flatMap((i) => expectedOf(i))),
      ),
    ];
  return [];
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

/**
 * Turn zod issues into located RunbookErrors. `root` is the validated value as loaded (with
 * locations), `fallback` where to point when a path has no position. Issues about values that
 * are still templates are dropped when `allowTemplates` is set (they are checked after rendering).
 */
export function issuesToErrors(
  error: z.ZodError,
  schema: z.ZodType,
  root: unknown,
  label: string,
  fallback: SourceLocation | undefined,
  allowTemplates: boolean,
): RunbookError[] {
  const out: RunbookError[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PropertyKey[];
    if (allowTemplates && templatedOnPath(root, path)) continue;
    const where = [label, ...path.map(String)].filter(Boolean).join(".");
    if (issue.code === "unrecognized_keys") {
      const obj = valueAt(root, path);
      const allowed = keysAt(jsonSchemaOf(schema), path);
      for (const key of issue.keys) {
        out.push(
          new RunbookError("unknown-key", `unknown key \`${key}\` in ${where || "arguments"}`, {
            location: keyLocOf(obj, key) ?? locAtPath(root, path) ?? fallback,
            hint: didYouMeanHint(key, allowed) ?? (allowed.length ? `allowed: ${allowed.join(", ")}` : undefined),
          }),
        );
      }
      continue;
    }
    const value = valueAt(root, path);
    const loc =
      path.length === 0
        ? fallback
        : (locAtPath(root, path) ?? valueLocOf(valueAt(root, path.slice(0, -1)), path.at(-1) as string) ?? fallback);
    let message = issue.message;
    if (issue.code === "invalid_type" && value === undefined) message = `missing required field`;
    else if (issue.code === "invalid_type" || issue.code === "invalid_union") {
      const expected = expectedOf(issue);
      message = expected.length
        ? `expected ${expected.join(" or ")}, got ${describe(value)}`
        : `${message.replace(/^Invalid input:?\s*/i, "invalid value: ")} (got ${describe(value)})`;
    }
    out.push(new RunbookError("schema", `${where}: ${message}`, { location: loc }));
  }
  return out;
}
