import { constants, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { formatChecksum, parseChecksumFile, parseChecksumSpec, sha256File, urlBasename } from "./checksum.js";
import { cachedChecksumForUrl, cacheLookup, cacheStore, storeChecksumForUrl } from "./download-cache.js";
import { mkdirp, tempPathFor } from "./fs.js";
import { fsReason, isLocalFsError } from "./fs-errors.js";
import { fetchText, type StreamToFileOptions, streamToFile } from "./http.js";
import { displayUrl } from "./http-get.js";

export interface DownloadOptions extends StreamToFileOptions {
  url: string;
  /** A file path, or a directory (existing, or ending in "/") to which the URL's basename is added. */
  dest: string;
  /** `sha256:<hex>` or `sha256:<url of a checksum file>`. */
  checksum?: string | undefined;
  /** Permission bits for dest (e.g. 0o755). New files default to 0o644. */
  mode?: number | undefined;
  /** Fetch even when dest is already present and correct. */
  force?: boolean | undefined;
  /** The runbook cache dir; files are cached under `downloads/sha256/<hex>`. */
  cacheDir?: string | undefined;
}

export interface DownloadResult {
  changed: boolean;
  dest: string;
  checksum: string;
  size: number;
  /** Where the bytes came from: already at dest, the local cache, or the network. */
  source: "present" | "cache" | "network";
  attempts: number;
  msg: string;
}

/** A download failed; the message names the URL and what went wrong. Nothing is left at or beside dest. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DownloadError";
  }
}

/** dest, with the URL's basename added when dest names a directory. */
export async function resolveDest(url: string, dest: string): Promise<string> {
  const isDir = dest.endsWith("/") || (await fsp.stat(dest).catch(() => undefined))?.isDirectory();
  if (!isDir) return dest;
  const name = urlBasename(url);
  if (!name)
    throw new Error(`${dest} is a directory and the URL has no file name to save under: give dest a file name`);
  return join(dest, name);
}

/** The expected digest: given, cached from an earlier run, or read from the checksum file. */
export async function expectedHex(opts: DownloadOptions, network: boolean): Promise<string | undefined> {
  if (!opts.checksum) return undefined;
  const spec = parseChecksumSpec(opts.checksum);
  if (spec.kind === "hex") return spec.hex;
  if (!opts.force) {
    const cached = await cachedChecksumForUrl(opts.cacheDir, spec.url);
    if (cached || !network) return cached;
  } else if (!network) return undefined;
  // Headers often carry a token: send them to the checksum file only on the same origin.
  const sameOrigin = new URL(spec.url).origin === new URL(opts.url).origin;
  const text = await fetchText(spec.url, { ...opts, headers: sameOrigin ? opts.headers : undefined });
  let hex: string;
  try {
    hex = parseChecksumFile(text, urlBasename(opts.url));
  } catch (e) {
    throw new Error(`checksum file ${displayUrl(spec.url)}: ${(e as Error).message}`);
  }
  await storeChecksumForUrl(opts.cacheDir, spec.url, hex);
  return hex;
}

async function applyMode(path: string, mode: number | undefined): Promise<boolean> {
  if (mode === undefined) return false;
  const st = await fsp.stat(path);
  if ((st.mode & 0o7777) === mode) return false;
  await fsp.chmod(path, mode);
  return true;
}

/**
 * Fetch `url` to `dest`: no request when dest already holds the expected bytes, a copy when the
 * cache does, else a streamed GET verified before an atomic rename into place.
 */
export async function download(opts: DownloadOptions): Promise<DownloadResult> {
  const url = displayUrl(opts.url);
  let dest = opts.dest;
  let tmp: string | undefined;
  // The first directory this call created, removed again on failure so nothing is left behind.
  let createdDir: string | undefined;
  try {
    dest = await resolveDest(opts.url, opts.dest);
    const hex = await expectedHex(opts, true);
    const present = await sha256File(dest);
    if (present && !opts.force && (hex === undefined || present.hex === hex)) {
      const changed = await applyMode(dest, opts.mode);
      const msg = changed ? `${dest} already present; mode set` : `${dest} already present`;
      const result = { changed, dest, checksum: formatChecksum(present.hex), size: present.size, attempts: 0, msg };
      return { ...result, source: "present" };
    }
    createdDir = await mkdirp(dirname(dest));
    tmp = tempPathFor(dest);
    const cached = hex && !opts.force ? await cacheLookup(opts.cacheDir, hex) : undefined;
    let got: { hex: string; size: number; attempts: number };
    if (cached) {
      await fsp.copyFile(cached, tmp, constants.COPYFILE_FICLONE);
      got = { hex: hex as string, size: (await fsp.stat(tmp)).size, attempts: 0 };
    } else {
      got = await streamToFile(opts.url, tmp, opts);
      if (hex && got.hex !== hex) {
        throw new Error(`GET ${url}: checksum mismatch: expected sha256:${hex}, got sha256:${got.hex}`);
      }
    }
    // A replaced file keeps its mode unless one is asked for.
    const oldMode = present ? (await fsp.stat(dest)).mode & 0o7777 : undefined;
    const mode = opts.mode ?? oldMode ?? 0o644;
    await fsp.chmod(tmp, mode);
    await fsp.rename(tmp, dest);
    tmp = undefined;
    createdDir = undefined;
    if (!cached && hex) await cacheStore(opts.cacheDir, got.hex, dest);
    const same = present?.hex === got.hex && oldMode === mode;
    const source = cached ? "cache" : "network";
    const msg = `${same ? "unchanged" : "downloaded"} ${dest} (${got.size} bytes${cached ? ", from cache" : ""})`;
    return {
      changed: !same,
      dest,
      checksum: formatChecksum(got.hex),
      size: got.size,
      source,
      attempts: got.attempts,
      msg,
    };
  } catch (e) {
    if (tmp) await fsp.rm(tmp, { force: true }).catch(() => {});
    if (createdDir) await fsp.rm(createdDir, { recursive: true, force: true }).catch(() => {});
    const message = localMessage(e) ?? (e as Error).message;
    throw new DownloadError(message.includes(url) ? message : `download ${url}: ${message}`, opts.url, { cause: e });
  }
}

export interface DownloadProbe {
  dest: string;
  /** true/false, or undefined when only the run can tell (the digest lives in an unfetched checksum file). */
  willChange: boolean | undefined;
  /** The expected digest when known without a request. */
  checksum?: string | undefined;
  /** What a run would request, in order (a checksum file, then the URL); empty for a cache hit. */
  wouldFetch: string[];
  summary: string;
}

const VERBS: Record<string, string> = { mkdir: "create directory", open: "write", rename: "write", copyfile: "write" };

/** "cannot create directory /mnt/ro/x: read-only file system (EROFS)" for a local file-system error. */
function localMessage(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (!isLocalFsError(e) || !err.path || !err.syscall) return undefined;
  return `local error: cannot ${VERBS[err.syscall] ?? err.syscall} ${err.dest ?? err.path}: ${fsReason(e)}`;
}

/** What `download` would do, from local state only: never makes a request, never writes. */
export async function probeDownload(opts: DownloadOptions): Promise<DownloadProbe> {
  const dest = await resolveDest(opts.url, opts.dest);
  const spec = opts.checksum ? parseChecksumSpec(opts.checksum) : undefined;
  const hex = await expectedHex(opts, false);
  const checksum = hex ? formatChecksum(hex) : undefined;
  const fetchSum = spec?.kind === "url" && !hex ? [displayUrl(spec.url)] : [];
  const url = displayUrl(opts.url);
  const st = await fsp.stat(dest).catch(() => undefined);
  const modeDiffers = st !== undefined && opts.mode !== undefined && (st.mode & 0o7777) !== opts.mode;
  if (st && !opts.force) {
    if (!spec) return { dest, willChange: modeDiffers, wouldFetch: [], summary: `${dest} present (no checksum given)` };
    if (!hex) {
      const summary = `${dest} present; compare with the digest in ${fetchSum[0]}, fetch ${url} if it differs`;
      return { dest, willChange: undefined, wouldFetch: fetchSum, summary };
    }
    const present = await sha256File(dest);
    if (present?.hex === hex)
      return { dest, willChange: modeDiffers, checksum, wouldFetch: [], summary: `${dest} up to date` };
  }
  if (hex && !opts.force && (await cacheLookup(opts.cacheDir, hex))) {
    return {
      dest,
      willChange: true,
      checksum,
      wouldFetch: [],
      summary: `copy ${url} to ${dest} from the download cache`,
    };
  }
  const what = st ? "replace" : "create";
  return {
    dest,
    willChange: true,
    checksum,
    wouldFetch: [...fetchSum, url],
    summary: `fetch ${url} (${what} ${dest})`,
  };
}
