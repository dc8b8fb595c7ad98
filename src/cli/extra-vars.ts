import { parse, stringify } from "yaml";
import { RunbookError } from "../engine/errors.js";
import { readFailure, readTextBounded } from "../engine/load/files.js";
import { parseYaml } from "../engine/load/yaml.js";

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
        text = readTextBounded(v.slice(1));
      } catch (e) {
        const why = readFailure(e);
        throw new RunbookError("usage", `-e ${v}: ${why === "not found" ? "file not found" : why}`);
      }
      Object.assign(out, mapping(parseYaml(v.slice(1), text), `-e ${v}`));
    } else if (v.trimStart().startsWith("{")) {
      // Errors point into the value itself, shown as the source "-e".
      Object.assign(out, mapping(parseYaml("-e", v), `-e ${v}`));
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
      // Keep only scalars typed; a value like "a: b" stays the string it was typed as, and so does
      // one whose text does not survive the round trip (`1.30` is not 1.3, `010` is not 10).
      out[key] = (value !== null && typeof value === "object") || !roundTrips(raw, value) ? raw : value;
    }
  }
  return out;
}

function mapping(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new RunbookError("usage", `${what}: must be a mapping of names to values`);
  return v as Record<string, unknown>;
}

/** Does the scalar print back as the text it was typed as (`1.30` → 1.3 → "1.3" does not)? */
function roundTrips(raw: string, value: unknown): boolean {
  if (typeof value === "string" || value === null) return true;
  if (typeof value === "boolean") return true;
  return stringify(value).trim() === raw.trim();
}
