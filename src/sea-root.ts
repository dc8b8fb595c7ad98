import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { getAsset, isSea } from "node:sea";

/** The assets a single-file binary carries (written by scripts/build-binaries.mjs). */
export const SEA_FILES_ASSET = "files.json";
export const SEA_ID_ASSET = "files.id";

/**
 * Inside a single-file binary: the folder its bundled files (package.json, playbooks/, templates/, src/presets/,
 * schema/) are unpacked to, once per build, so everything that reads them from disk works unchanged. Outside one:
 * undefined.
 */
export function seaRoot(): string | undefined {
  if (!isSea()) return undefined;
  // The id is the files' hash: a new build unpacks beside an old one instead of reading stale files.
  const id = Buffer.from(getAsset(SEA_ID_ASSET)).toString("utf8");
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const candidates = [join(cache, "runbook", "files", id), join(tmpdir(), `runbook-${userInfo().uid}`, "files", id)];
  let lastError: unknown;
  for (const dir of candidates) {
    if (existsSync(join(dir, ".complete"))) return dir;
    try {
      unpack(dir);
      return dir;
    } catch (e) {
      // an unwritable cache folder: try the next one
      lastError = e;
    }
  }
  throw new Error(`runbook: cannot unpack its bundled files into ${candidates.join(" or ")}: ${String(lastError)}`);
}

function unpack(dir: string): void {
  const files = JSON.parse(Buffer.from(getAsset(SEA_FILES_ASSET)).toString("utf8")) as Record<string, string>;
  // Write into a private folder and rename it into place, so a concurrent run never sees half the files.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    writeFileSync(join(tmp, rel), text);
  }
  writeFileSync(join(tmp, ".complete"), "");
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // another run unpacked the same files first
    if (!existsSync(join(dir, ".complete"))) throw e;
  }
}
