import { relative } from "node:path";
import { PACKAGE_ROOT } from "../version.js";

/** Where a YAML node came from. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  endLine?: number | undefined;
  endCol?: number | undefined;
}

// The text of every file loaded, so that errors can show an excerpt without reading the file again.
const sources = new Map<string, string>();

export function registerSource(file: string, text: string): void {
  sources.set(file, text);
}

export function sourceText(file: string): string | undefined {
  return sources.get(file);
}

/** `file:line:col`, with the file shown as displayPath shows it. */
export function formatLocation(loc: SourceLocation, cwd = process.cwd()): string {
  return `${displayPath(loc.file, cwd)}:${loc.line}:${loc.col}`;
}

/**
 * A bundled file (playbooks/, templates/, src/presets/, schema/) relative to the package, any other file relative
 * to the working directory when it is below it, so a plan reads the same from a checkout, a global install and a
 * single-file binary, and `playbooks/dev.yml` is also what `runbook plan` accepts for it.
 */
export function displayPath(file: string, cwd = process.cwd()): string {
  const bundled = relative(PACKAGE_ROOT, file);
  if (BUNDLED_DIRS.some((d) => bundled.startsWith(d))) return bundled;
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") ? rel : file;
}

const BUNDLED_DIRS = ["playbooks/", "templates/", "src/presets/", "schema/"];

/** Move a location inside a scalar (e.g. a template error at line 1, col 5 of a string). */
export function offsetLocation(loc: SourceLocation, line: number, col: number): SourceLocation {
  // A quoted scalar's text starts one column after its opening quote.
  const first = sources.get(loc.file)?.split("\n")[loc.line - 1]?.[loc.col - 1];
  if (line <= 1 && (first === '"' || first === "'")) col += 1;
  return line <= 1
    ? { file: loc.file, line: loc.line, col: loc.col + col - 1 }
    : { file: loc.file, line: loc.line + line - 1, col };
}

/**
 * The lines around a location with a caret under the node:
 *
 *    4 |   regster: out
 *      |   ^^^^^^^
 */
const EXCERPT_WIDTH = 160;
const EXCERPT_LEAD = 60;

export function renderExcerpt(loc: SourceLocation, contextLines = 1): string {
  const text = sources.get(loc.file);
  if (text === undefined) return "";
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, loc.line - contextLines);
  const last = Math.min(lines.length, loc.line);
  const width = String(last).length;
  // A long line (a minified value, a 1 MB string) is shown as a window around the column, so an
  // error stays a few lines long; the same window is used for the context lines above it.
  const from = Math.max(0, loc.col - 1 - EXCERPT_LEAD);
  const clip = (l: string) => {
    const part = l.slice(from, from + EXCERPT_WIDTH);
    return `${from > 0 ? "…" : ""}${part}${l.length > from + EXCERPT_WIDTH ? "…" : ""}`;
  };
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    out.push(`${String(n).padStart(width)} | ${clip((lines[n - 1] ?? "").replace(/\t/g, " "))}`);
  }
  const line = lines[loc.line - 1] ?? "";
  let span = 1;
  if (loc.endLine === loc.line && loc.endCol !== undefined && loc.endCol > loc.col) span = loc.endCol - loc.col;
  span = Math.max(1, Math.min(span, line.length - loc.col + 1, EXCERPT_WIDTH - (loc.col - 1 - from)));
  const pad = loc.col - 1 - from + (from > 0 ? 1 : 0);
  out.push(`${" ".repeat(width)} | ${" ".repeat(Math.max(0, pad))}${"^".repeat(span)}`);
  return out.join("\n");
}
