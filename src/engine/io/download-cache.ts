import { createHash } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { sha256File } from "./checksum.js";
import { mkdirp, tempPathFor } from "./fs.js";

/**
 * The download cache under the user's cache dir. Files are keyed by their own sha256, so an
 * entry can never be stale: `downloads/sha256/<hex>`. Digests read from checksum files are kept
 * in `downloads/checksum-urls/<sha256 of the url>` so that a second run needs no request at all.
 * Every cache failure is swallowed: the cache only ever saves work.
 */
export function cacheFile(cacheDir: string, hex: string): string {
  return join(cacheDir, "downloads", "sha256", hex);
}

function checksumUrlFile(cacheDir: string, url: string): string {
  return join(cacheDir, "downloads", "checksum-urls", createHash("sha256").update(url).digest("hex"));
}

/** The cached file for `hex`, verified; a corrupt entry is removed. */
export async function cacheLookup(cacheDir: string | undefined, hex: string): Promise<string | undefined> {
  if (!cacheDir) return undefined;
  const path = cacheFile(cacheDir, hex);
  try {
    const got = await sha256File(path);
    if (!got) return undefined;
    if (got.hex === hex) return path;
    await fsp.rm(path, { force: true });
  } catch {
    // unreadable cache: behave as a miss
  }
  return undefined;
}

/** Copy a verified file into the cache (temp + rename, so readers never see half a file). */
export async function cacheStore(cacheDir: string | undefined, hex: string, from: string): Promise<void> {
  if (!cacheDir) return;
  const path = cacheFile(cacheDir, hex);
  const tmp = tempPathFor(path);
  try {
    await mkdirp(dirname(path));
    await fsp.copyFile(from, tmp, constants.COPYFILE_FICLONE);
    await fsp.rename(tmp, path);
  } catch {
    await fsp.rm(tmp, { force: true }).catch(() => {});
  }
}

export async function cachedChecksumForUrl(cacheDir: string | undefined, url: string): Promise<string | undefined> {
  if (!cacheDir) return undefined;
  try {
    const hex = (await fsp.readFile(checksumUrlFile(cacheDir, url), "utf8")).trim();
    return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
  } catch {
    return undefined;
  }
}

export async function storeChecksumForUrl(cacheDir: string | undefined, url: string, hex: string): Promise<void> {
  if (!cacheDir) return;
  const path = checksumUrlFile(cacheDir, url);
  const tmp = tempPathFor(path);
  try {
    await mkdirp(dirname(path));
    await fsp.writeFile(tmp, `${hex}\n`);
    await fsp.rename(tmp, path);
  } catch {
    await fsp.rm(tmp, { force: true }).catch(() => {});
  }
}
