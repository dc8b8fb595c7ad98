import { createReadStream, promises as fsp, lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { Parser, type ReadEntry } from "tar";
import yauzl from "yauzl";
import { EntrySelector, type Known, type PlannedEntry, type RawEntry, type SelectOptions } from "./archive-paths.js";
import { EntryWriter } from "./archive-write.js";
import { mkdirp } from "./fs.js";

/** The only module that imports tar and yauzl. */
export type ArchiveFormat = "tar" | "tar.gz" | "zip";

export interface ExtractOptions extends SelectOptions {
  src: string;
  dest: string;
  /** Permission bits for every extracted file; otherwise each keeps the archive's (0644/0755 when it has none). */
  mode?: number | undefined;
  /** Write nothing; only work out whether anything would change (for the plan). */
  dryRun?: boolean | undefined;
  /** Keep the setuid, setgid and sticky bits the archive gives its entries; by default they are dropped. */
  keepSetuid?: boolean | undefined;
}

/** Bytes of regular files one extraction may write unless `max_size` says otherwise: 2 GiB. */
export const DEFAULT_MAX_SIZE = 2 * 1024 ** 3;

export interface SizeLimit {
  /** Most bytes (sum of the regular files extracted) before the archive is refused; default DEFAULT_MAX_SIZE. */
  maxSize?: number | undefined;
}

/** "1.5 GiB", "300 MiB", "12 KiB", "7 bytes". */
export function formatSize(n: number): string {
  const units = ["GiB", "MiB", "KiB"];
  for (let i = 0; i < units.length; i++) {
    const size = 1024 ** (3 - i);
    if (n >= size) return `${Number((n / size).toFixed(1))} ${units[i]}`;
  }
  return `${n} bytes`;
}

/** The archive would extract more than its size limit: raised while reading, before anything is written. */
export class ArchiveTooLarge extends Error {
  constructor(
    readonly limit: number,
    readonly at: string,
  ) {
    super(
      `the files in it add up to more than max_size (${formatSize(limit)}) by entry "${at}"; raise max_size if the archive is trusted and that much is expected`,
    );
    this.name = "ArchiveTooLarge";
  }
}

export interface ExtractResult {
  changed: boolean;
  format: ArchiveFormat;
  /** Paths (relative to dest) of everything extracted or found already in place; directories end in "/". */
  files: string[];
}

/** The archive is unreadable or unsafe; the message names it and says why. */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArchiveError";
  }
}

/** Tell the format from the first bytes, never from the file name. */
export async function detectFormat(src: string): Promise<ArchiveFormat> {
  const fh = await fsp.open(src, "r");
  const head = Buffer.alloc(512);
  try {
    await fh.read(head, 0, 512, 0);
  } finally {
    await fh.close();
  }
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return "zip";
  if (head[0] === 0x1f && head[1] === 0x8b) return "tar.gz";
  if (head.toString("latin1", 257, 262) === "ustar") return "tar";
  throw new Error("not a tar, tar.gz or zip archive (unrecognised leading bytes)");
}

/** Visit each entry in order; `body()` streams a file's bytes and may be called once, inside the visit. */
type Visit = (entry: RawEntry, body: () => Promise<AsyncIterable<Buffer>>) => Promise<void>;

function tarType(t: ReadEntry["type"]): RawEntry["type"] {
  if (t === "File" || t === "OldFile" || t === "ContiguousFile") return "file";
  if (t === "Directory") return "dir";
  if (t === "SymbolicLink") return "symlink";
  return t === "Link" ? "hardlink" : "other";
}

async function walkTar(src: string, visit: Visit): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ strict: true });
    const input = createReadStream(src);
    let chain = Promise.resolve();
    const fail = (err: unknown) => {
      input.destroy();
      parser.abort(err as Error);
      reject(err);
    };
    // The parser holds the next entry until this one's body has been read, so entries are handled one at a time.
    parser.on("entry", (e: ReadEntry) => {
      const raw = { path: e.path, type: tarType(e.type), mode: e.mode ?? 0, size: e.size, linkTarget: e.linkpath };
      chain = chain.then(() => visit(raw, async () => e)).then(() => void e.resume(), fail);
    });
    parser.on("error", fail);
    parser.on("end", () => chain.then(() => resolve(), fail));
    input.on("error", fail);
    input.pipe(parser);
  });
}

async function walkZip(src: string, visit: Visit): Promise<void> {
  const zip = await yauzl.openPromise(src, { decodeStrings: false, validateEntrySizes: true, autoClose: true });
  try {
    for await (const entry of zip.eachEntry()) {
      // Names are decoded here rather than by yauzl so that unsafe ones reach our own checks and messages.
      const path = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      const unix = entry.versionMadeBy >> 8 === 3;
      const attrs = unix ? entry.externalFileAttributes >>> 16 : 0;
      const kind = attrs & 0o170000;
      const isDir = path.endsWith("/") || kind === 0o040000;
      const type = isDir ? "dir" : kind === 0o120000 ? "symlink" : "file";
      const mode = attrs & 0o7777 || (isDir ? 0o755 : 0o644);
      const body = () => zip.openReadStreamPromise(entry);
      let linkTarget: string | undefined;
      if (type === "symlink") {
        if (entry.uncompressedSize > 4096) throw new Error(`symlink "${path}" has a target longer than 4096 bytes`);
        const chunks: Buffer[] = [];
        for await (const c of await body()) chunks.push(c as Buffer);
        linkTarget = Buffer.concat(chunks).toString("utf8");
      }
      await visit({ path, type, mode, size: entry.uncompressedSize, linkTarget }, body);
    }
  } finally {
    zip.close();
  }
}

async function walk(src: string, format: ArchiveFormat, visit: Visit): Promise<void> {
  return format === "zip" ? walkZip(src, visit) : walkTar(src, visit);
}

/** An entry's path relative to dest, as results and plans show it: directories end in "/". */
export function entryLabel(e: PlannedEntry): string {
  return e.type === "dir" ? `${e.rel}/` : e.rel;
}

/** Every entry that extract would write (after stripping and include), with the safety problems found. */
export async function listArchive(
  src: string,
  opts: SelectOptions & SizeLimit & { dest?: string | undefined } = {},
): Promise<{ format: ArchiveFormat; entries: PlannedEntry[]; problems: string[]; size: number }> {
  const limit = opts.maxSize ?? DEFAULT_MAX_SIZE;
  try {
    const format = await detectFormat(src);
    const selector = new EntrySelector({
      ...opts,
      onDisk: opts.dest === undefined ? undefined : diskLookup(opts.dest),
    });
    const writer = opts.dest === undefined ? undefined : new EntryWriter(opts.dest);
    const entries: PlannedEntry[] = [];
    await walk(src, format, async (raw) => {
      const e = selector.select(raw);
      if (!e) return;
      // Sizes come from the headers (zip sizes are checked against the data as it is read), so a bomb stops here.
      if (selector.totalSize > limit) throw new ArchiveTooLarge(limit, raw.path);
      const why = await writer?.checkOnDisk(e.rel);
      if (why) selector.problems.push(why);
      else entries.push(e);
    });
    return { format, entries, problems: selector.problems, size: selector.totalSize };
  } catch (e) {
    const verb = e instanceof ArchiveTooLarge ? "refusing to extract" : "cannot read archive";
    throw new ArchiveError(`${verb} ${src}: ${(e as Error).message}`, { cause: e });
  }
}

/** What already sits under dest, for resolving an archive's links through it. */
function diskLookup(dest: string): (rel: string) => Known {
  return (rel) => {
    try {
      const st = lstatSync(join(dest, rel));
      if (st.isSymbolicLink()) return { type: "symlink", target: readlinkSync(join(dest, rel)) };
      return { type: st.isDirectory() ? "dir" : "file" };
    } catch {
      return undefined;
    }
  };
}

/**
 * Extract `src` into `dest`. The archive is read twice: first every entry is checked (nothing is
 * written if any would land outside dest), then entries are written, each only if it differs.
 */
export async function extract(opts: ExtractOptions & SizeLimit): Promise<ExtractResult> {
  const { format, entries, problems } = await listArchive(opts.src, opts);
  if (problems.length) {
    const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : "");
    throw new ArchiveError(`refusing to extract ${opts.src} into ${opts.dest}: ${shown}`);
  }
  const selector = new EntrySelector({ ...opts, onDisk: diskLookup(opts.dest) });
  const writer = new EntryWriter(opts.dest, opts.dryRun, opts.maxSize ?? DEFAULT_MAX_SIZE);
  const bits = opts.keepSetuid ? 0o7777 : 0o777;
  const destExists = await fsp.stat(opts.dest).catch(() => undefined);
  if (!destExists && !opts.dryRun) await mkdirp(opts.dest);
  if (!destExists) writer.changed = true;
  try {
    await walk(opts.src, format, async (raw, body) => {
      const e = selector.select(raw);
      if (!e) return;
      if (e.type === "dir") await writer.dir(e, e.mode & bits || 0o755);
      else if (e.type === "symlink") await writer.symlink(e);
      else if (e.type === "hardlink") await writer.hardlink(e);
      else await writer.file(e, await body(), opts.mode ?? (e.mode & bits || 0o644));
    });
  } catch (e) {
    throw new ArchiveError(`extracting ${opts.src} into ${opts.dest}: ${(e as Error).message}`, { cause: e });
  }
  return { changed: writer.changed, format, files: entries.map(entryLabel) };
}
