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

/** What an archive path (relative to dest) is, as far as the extraction so far or the disk knows. */
export type Known = { type: "symlink"; target: string } | { type: "dir" | "file" | "hardlink" } | undefined;

/** How many symlinks one resolution may follow before it is called a loop (as Linux's ELOOP). */
const MAX_LINKS = 40;

/**
 * Resolve `path` (relative to dest) component by component, following every symlink that `lookup`
 * knows of, the way the kernel will once the entries are on disk. Returns the resolved path's
 * segments, or a reason when it leaves dest (by `..`, an absolute target, or a loop).
 */
export function resolveInside(
  path: string,
  lookup: (rel: string) => Known,
  onLookup?: (rel: string) => void,
): string[] | string {
  let links = 0;
  const walk = (todo: string[], base: string[]): string[] | string => {
    const out = [...base];
    for (let i = 0; i < todo.length; i++) {
      const part = todo[i] as string;
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (!out.length) return "leaves the destination";
        out.pop();
        continue;
      }
      const here = [...out, part];
      onLookup?.(here.join("/"));
      const known = lookup(here.join("/"));
      if (known?.type !== "symlink") {
        out.push(part);
        continue;
      }
      if (++links > MAX_LINKS) return "is a symlink loop";
      const target = known.target.replace(/\\/g, "/");
      if (target.startsWith("/") || /^[a-zA-Z]:/.test(target))
        return `goes through the absolute symlink "${here.join("/")}"`;
      const next = walk(target.split("/"), out);
      if (typeof next === "string") return next;
      out.splice(0, out.length, ...next);
    }
    return out;
  };
  return walk(path.split("/"), []);
}

/**
 * Decide, entry by entry, what gets extracted where. Unsafe entries — outside dest, a symlink that
 * resolves out by any chain of links, anything written through a symlink, a hard link to anything
 * but a regular file extracted earlier — are collected as problems; the caller refuses the whole
 * archive when there is any, before writing a byte.
 */
export class EntrySelector {
  readonly problems: string[] = [];
  /** Bytes of the regular files selected so far (as their headers declare them). */
  totalSize = 0;
  /** What each extracted path is, in archive order (a later entry replaces an earlier one). */
  private readonly known = new Map<string, Known>();
  /** For each path, the symlinks whose resolution looked at it (and may move when it changes). */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly strip: number;
  private readonly match: ((path: string) => boolean) | undefined;
  /** What is on disk under dest where the archive says nothing: an existing symlink counts too. */
  private readonly onDisk: ((rel: string) => Known) | undefined;

  constructor(opts: SelectOptions & { onDisk?: ((rel: string) => Known) | undefined }) {
    this.strip = opts.stripComponents ?? 0;
    this.match = opts.include?.length ? picomatch(opts.include, { dot: true }) : undefined;
    this.onDisk = opts.onDisk;
  }

  private readonly lookup = (rel: string): Known => (this.known.has(rel) ? this.known.get(rel) : this.onDisk?.(rel));

  private stripped(path: string): { rel: string | undefined; problem?: string } {
    const parts = segments(path);
    if (typeof parts === "string") return { rel: undefined, problem: parts };
    const kept = parts.slice(this.strip);
    return { rel: kept.length ? kept.join("/") : undefined };
  }

  /** Resolve the symlink at `rel`, remembering every path the resolution looked at. */
  private resolveLink(rel: string): string[] | string {
    return resolveInside(rel, this.lookup, (seen) => {
      const links = this.dependents.get(seen) ?? new Set<string>();
      links.add(rel);
      this.dependents.set(seen, links);
    });
  }

  /**
   * The earlier symlinks that resolve outside dest now that `changed` is something else: only those
   * whose resolution looked at `changed` can move, so an archive of n links costs n resolutions, not n².
   */
  private escapingLinks(changed: string): string[] {
    const out: string[] = [];
    for (const rel of this.dependents.get(changed) ?? []) {
      const k = this.known.get(rel);
      if (rel === changed || k?.type !== "symlink") continue;
      const r = this.resolveLink(rel);
      if (typeof r === "string") out.push(`symlink "${rel}" (to "${k.target}") ${r}`);
    }
    return out;
  }

  /** Record what `rel` now is; a file or directory in place of a symlink can make links through it escape. */
  private replace(rel: string, now: Known): string | undefined {
    const wasLink = this.known.get(rel)?.type === "symlink";
    this.known.set(rel, now);
    const escaping = wasLink ? this.escapingLinks(rel) : [];
    return escaping.length ? escaping.join(", ") : undefined;
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
      if (this.known.get(parent)?.type === "symlink") {
        return void this.problems.push(`entry "${entry.path}" would be written through the symlink "${parent}"`);
      }
    }
    if (entry.type === "symlink") {
      const target = entry.linkTarget ?? "";
      if (target.startsWith("/") || /^[a-zA-Z]:/.test(target)) {
        return void this.problems.push(`symlink "${entry.path}" points outside the destination (to "${target}")`);
      }
      const before = this.known.get(rel);
      const had = this.known.has(rel);
      this.known.set(rel, { type: "symlink", target });
      const own = this.resolveLink(rel);
      const escaping = typeof own === "string" ? [] : this.escapingLinks(rel);
      if (typeof own === "string" || escaping.length) {
        if (had) this.known.set(rel, before);
        else this.known.delete(rel);
        const why = typeof own === "string" ? own : `makes ${escaping.join(", ")}`;
        return void this.problems.push(
          `symlink "${entry.path}" points outside the destination (to "${target}"): ${why}`,
        );
      }
      return { ...entry, rel };
    }
    if (entry.type === "hardlink") {
      const link = this.stripped(entry.linkTarget ?? "");
      if (link.rel === undefined) {
        return void this.problems.push(`hard link "${entry.path}" points outside the destination`);
      }
      const resolved = resolveInside(link.rel, this.lookup);
      const kind = this.known.get(link.rel)?.type;
      if (typeof resolved === "string" || resolved.join("/") !== link.rel || (kind !== "file" && kind !== "hardlink")) {
        return void this.problems.push(
          `hard link "${entry.path}" must point at a regular file extracted earlier from this archive, not "${entry.linkTarget}"`,
        );
      }
      const why = this.replace(rel, { type: "hardlink" });
      if (why) return void this.problems.push(`hard link "${entry.path}" replaces a symlink and makes ${why}`);
      return { ...entry, rel, linkRel: link.rel };
    }
    const why = this.replace(rel, { type: entry.type });
    if (why) return void this.problems.push(`entry "${entry.path}" replaces a symlink and makes ${why}`);
    if (entry.type === "file") this.totalSize += entry.size;
    return { ...entry, rel };
  }
}
