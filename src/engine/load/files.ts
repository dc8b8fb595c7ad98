import { readFileSync, realpathSync } from "node:fs";
import { RunbookError } from "../errors.js";
import { displayPath, type SourceLocation } from "../source.js";
import { parseYaml } from "./yaml.js";

/** Read and parse a YAML file; a missing file is a located error (the node that named it). */
export function readYamlFile(
  path: string,
  code: "include" | "vars-file" | "usage" | "preset",
  namedAt?: SourceLocation,
): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "not found" : err.code === "EISDIR" ? "is a directory" : err.message;
    throw new RunbookError(code, `${displayPath(path)}: ${why}`, {
      location: namedAt,
      hint: namedAt ? "paths are relative to the file that names them" : undefined,
    });
  }
  return parseYaml(path, text);
}

export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** A mapping of variables from a YAML file, or a located error. */
export function readVarsFile(path: string, namedAt?: SourceLocation): Record<string, unknown> {
  const v = readYamlFile(path, "vars-file", namedAt);
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new RunbookError("vars-file", `${displayPath(path)}: a vars file must be a mapping of names to values`, {
      location: namedAt,
    });
  }
  return v as Record<string, unknown>;
}
