import { closeSync, openSync, readSync, realpathSync } from "node:fs";
import { RunbookError } from "../errors.js";
import { displayPath, registerSource, type SourceLocation } from "../source.js";
import { parseYaml } from "./yaml.js";

/** The most a playbook, vars file, include or `-e @file` may hold. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Read a text file, at most MAX_INPUT_BYTES (a device such as /dev/zero never ends): a longer
 * input throws an error whose code is EFBIG. Other errors are node's own.
 */
export function readTextBounded(path: string): string {
  return readBytesBounded(path).toString("utf8");
}

/** The bytes of a file, at most MAX_INPUT_BYTES (see readTextBounded). */
export function readBytesBounded(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, MAX_INPUT_BYTES + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > MAX_INPUT_BYTES) {
        throw Object.assign(new Error(`larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`), { code: "EFBIG" });
      }
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Why a file could not be read, in words. */
export function readFailure(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return "not found";
  if (err.code === "EISDIR") return "is a directory";
  if (err.code === "EFBIG") return `${err.message}: not a playbook, vars file or manifest`;
  return err.message;
}

/** Read and parse a YAML file; a missing file is a located error (the node that named it). */
export function readYamlFile(
  path: string,
  code: "include" | "vars-file" | "usage" | "preset",
  namedAt?: SourceLocation,
): unknown {
  let bytes: Buffer;
  try {
    bytes = readBytesBounded(path);
  } catch (e) {
    throw new RunbookError(code, `${displayPath(path)}: ${readFailure(e)}`, {
      location: namedAt,
      hint: namedAt ? "paths are relative to the file that names them" : undefined,
    });
  }
  return parseYaml(path, decodeUtf8(path, bytes));
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The file's text, or a located error naming the first byte that is not UTF-8 (a file saved as
 * Latin-1 would otherwise load with U+FFFD in place of its accents). A leading BOM is dropped, so
 * that columns on line 1 count from the first real character.
 */
export function decodeUtf8(path: string, bytes: Buffer): string {
  try {
    return STRICT_UTF8.decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    const lenient = bytes.toString("utf8").replace(/^\uFEFF/, "");
    const at = Math.max(0, lenient.indexOf("\uFFFD"));
    const before = lenient.slice(0, at);
    const line = before.split("\n").length;
    const col = at - before.lastIndexOf("\n");
    const offset = Buffer.byteLength(before) + (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
    const byte = bytes[offset] ?? 0;
    // So that the error shows the line, with the bad byte as U+FFFD under the caret.
    registerSource(path, lenient);
    throw new RunbookError(
      "yaml",
      `${displayPath(path)} is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, "0")} at line ${line}, column ${col}`,
      { location: { file: path, line, col }, hint: "save the file as UTF-8 (it may be Latin-1 or UTF-16)" },
    );
  }
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
