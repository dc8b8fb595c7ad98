import { posix } from "node:path";
import picomatch from "picomatch";

/** An archive entry as the readers report it, before any path handling. */
export interface RawEntry {
  /** The path as stored in the archive. */
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  mode: number;
  size: number;
  /** Symlink target, or the archive path a hard link points at. */
  linkTarget?: string | undefined;
}

/** An entry that will be extracted: its path relative to dest after stripping. */
export interface PlannedEntry extends RawEntry {
  rel: string;
  /** For hard links: the stripped archive path of the file linked to. */
  linkRel?: string | undefined;
}

export interface SelectOptions {
  stripComponents?: number | undefined;
  /** Glob patterns matched against the path after stripping; unset means everything. */
  include?: string[] | undefined;
}

/** Split an archive path into segments, or say why it is unsafe. */
function segments(path: string): string[] | string {
  const p = path.replace(/\\/g, "/");
  if (p.startsWith("/") || /^[a-zA-Z]:/.test(p)) return "is an absolute path";
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.includes("..")) return "contains a '..' path component";
  return parts;
}

/** Does `target` (a symlink's target, relative to the link's directory) stay inside dest? */
function linkStaysInside(rel: string, target: string): boolean {
  if (target.startsWith("/") || /^[a-zA-Z]:/.test(target)) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(rel), target.replace(/\\/g, "/")));
  return resolved !== ".." && !resolved.startsWith("../");
}

/**
 * Decide, entry by entry, what gets extracted where. Unsafe entries — outside dest, a symlink that
 * points out, anything written through a symlink — are collected as problems; the caller refuses
 * the whole archive when there is any, before writing a byte.
 */
export class EntrySelector {
  readonly problems: string[] = [];
  private readonly symlinks = new Set<string>();
  private readonly strip: number;
  private readonly match: ((path: string) => boolean) | undefined;

  constructor(opts: SelectOptions) {
    this.strip = opts.stripComponents ?? 0;
    this.match = opts.include?.length ? picomatch(opts.include, { dot: true }) : undefined;
  }

  private stripped(path: string): { rel: string | undefined; problem?: string } {
    const parts = segments(path);
    if (typeof parts === "string") return { rel: undefined, problem: parts };
    const kept = parts.slice(this.strip);
    return { rel: kept.length ? kept.join("/") : undefined };
  }

  /** The entry to extract, or undefined when it is skipped (stripped away, not included, or unsafe). */
  select(entry: RawEntry): PlannedEntry | undefined {
    if (entry.type === "other") return undefined;
    const { rel, problem } = this.stripped(entry.path);
    if (problem) return void this.problems.push(`entry "${entry.path}" ${problem}`);
    if (rel === undefined) return undefined;
    if (this.match && !this.match(rel) && !(entry.type === "dir" && this.match(`${rel}/`))) return undefined;
    // Any parent that the archive made a symlink would let this entry land wherever that link points.
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (this.symlinks.has(parent)) {
        return void this.problems.push(`entry "${entry.path}" would be written through the symlink "${parent}"`);
      }
    }
    if (entry.type === "symlink") {
      const target = entry.linkTarget ?? "";
      if (!linkStaysInside(rel, target)) {
        return void this.problems.push(`symlink "${entry.path}" points outside the destination (to "${target}")`);
      }
      this.symlinks.add(rel);
      return { ...entry, rel };
    }
    this.symlinks.delete(rel);
    if (entry.type === "hardlink") {
      const link = this.stripped(entry.linkTarget ?? "");
      if (link.rel === undefined) {
        return void this.problems.push(`hard link "${entry.path}" points outside the destination`);
      }
      return { ...entry, rel, linkRel: link.rel };
    }
    return { ...entry, rel };
  }
}
