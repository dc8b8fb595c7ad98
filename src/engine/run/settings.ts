import { resolve } from "node:path";
import { parseDuration } from "../duration.js";
import { RunbookError } from "../errors.js";
import { valueLocOf } from "../load/yaml.js";
import type { SourceLocation } from "../source.js";
import { renderValue } from "../template.js";
import { containsUnknown } from "../unknown.js";

/**
 * The keys a step or a block sets for the steps it covers, resolved into typed values. Every one is
 * read by the same rule (render, then coerce), on steps and blocks alike; nothing downstream reads
 * these keys from the raw YAML. A key that is absent (or only known at run time, in a plan) is
 * undefined and inherits from the blocks around it.
 */
export interface Settings {
  noLog?: boolean | undefined;
  become?: boolean | undefined;
  becomeUser?: string | undefined;
  ignoreErrors?: boolean | undefined;
  checkMode?: boolean | undefined;
  environment?: Record<string, string> | undefined;
  cwd?: string | undefined;
  timeoutMs?: number | undefined;
}

const TRUE = /^(true|yes|on)$/i;
const FALSE = /^(false|no|off)$/i;

/**
 * A boolean key's value: a YAML boolean or true/false/yes/no/on/off in any case. undefined when only
 * the run knows it. Anything else is an error at the key's location.
 */
export function toBoolean(v: unknown, key: string, loc: SourceLocation | undefined): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (containsUnknown(v)) return undefined;
  if (typeof v === "string") {
    const t = v.trim();
    if (TRUE.test(t)) return true;
    if (FALSE.test(t)) return false;
  }
  throw new RunbookError("schema", `${key}: must be a boolean (true/false, yes/no, on/off), got ${JSON.stringify(v)}`, {
    location: loc,
    hint: "a template must render to one of these words",
  });
}

const BOOLEAN_KEYS = [
  ["no_log", "noLog"],
  ["become", "become"],
  ["ignore_errors", "ignoreErrors"],
  ["check_mode", "checkMode"],
] as const;

/** Resolve a step's or block's own setting keys with `scope`; relative `cwd` is against `baseDir`. */
export function compileSettings(
  raw: Record<string, unknown>,
  scope: Record<string, unknown>,
  baseDir: string,
): Settings {
  const out: Settings = {};
  const render = (key: string) => renderValue(raw[key], scope, valueLocOf(raw, key));
  for (const [key, field] of BOOLEAN_KEYS) {
    if (raw[key] !== undefined) out[field] = toBoolean(render(key), key, valueLocOf(raw, key));
  }
  if (raw.become_user !== undefined) out.becomeUser = knownString(render("become_user"));
  const envKey = raw.environment !== undefined ? "environment" : raw.env !== undefined ? "env" : undefined;
  if (envKey) {
    const env = render(envKey);
    if (env === null || typeof env !== "object" || Array.isArray(env))
      throw new RunbookError("schema", `${envKey}: must be a map of names to values`, {
        location: valueLocOf(raw, envKey),
      });
    out.environment = stringMap(env);
  }
  if (raw.cwd !== undefined) {
    const cwd = knownString(render("cwd"));
    out.cwd = cwd === undefined ? undefined : resolve(baseDir, cwd);
  }
  if (raw.timeout !== undefined) {
    const t = render("timeout");
    if (!containsUnknown(t)) {
      try {
        out.timeoutMs = parseDuration(t as string | number);
      } catch (e) {
        throw new RunbookError("schema", `timeout: ${(e as Error).message}`, { location: valueLocOf(raw, "timeout") });
      }
    }
  }
  return out;
}

/** The settings in force: a step's (or block's) own keys over those of the blocks around it. */
export function mergeSettings(outer: Settings, own: Settings): Settings {
  const out: Settings = { ...outer };
  for (const [k, v] of Object.entries(own) as [keyof Settings, unknown][]) {
    if (v !== undefined && k !== "environment") (out as Record<string, unknown>)[k] = v;
  }
  if (own.environment) out.environment = { ...outer.environment, ...own.environment };
  return out;
}

function knownString(v: unknown): string | undefined {
  return containsUnknown(v) ? undefined : String(v);
}

/** Environment values as strings: non-strings are written as JSON. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (containsUnknown(x)) continue;
      out[k] = typeof x === "string" ? x : JSON.stringify(x);
    }
  return out;
}
