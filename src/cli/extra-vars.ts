import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { RunbookError } from "../engine/errors.js";

/**
 * `-e key=value` (the value parsed as a YAML scalar: `-e debug=false` is the boolean false),
 * `-e @file.yml` (a YAML or JSON mapping), `-e '{"json": true}'`.
 */
export function parseExtraVars(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    if (v.startsWith("@")) {
      let text: string;
      try {
        text = readFileSync(v.slice(1), "utf8");
      } catch (e) {
        throw new RunbookError(
          "usage",
          `-e ${v}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (e as Error).message}`,
        );
      }
      Object.assign(out, mapping(parse(text), `-e ${v}`));
    } else if (v.trimStart().startsWith("{")) {
      Object.assign(out, mapping(parse(v), `-e ${v}`));
    } else {
      const eq = v.indexOf("=");
      if (eq <= 0)
        throw new RunbookError("usage", `-e ${v}: expected key=value, @file.yml or a JSON object`, {
          hint: "e.g. -e version=1.30.4 -e debug=true",
        });
      const key = v.slice(0, eq);
      const raw = v.slice(eq + 1);
      let value: unknown;
      try {
        value = raw === "" ? "" : parse(raw);
      } catch {
        value = raw;
      }
      // Keep only scalars typed; a value like "a: b" stays the string it was typed as.
      out[key] = value !== null && typeof value === "object" ? raw : value;
    }
  }
  return out;
}

function mapping(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new RunbookError("usage", `${what}: must be a mapping of names to values`);
  return v as Record<string, unknown>;
}
