import { randomBytes } from "node:crypto";
import { constants, promises as fsp } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export interface FileStat {
  type: "file" | "directory" | "symlink" | "other";
  /** Permission bits only (e.g. 0o644). */
  mode: number;
  size: number;
  mtimeMs: number;
}

/**
 * The target's file system. Actions reach files only through this, so that an SSH transport
 * can replace it later and tests can observe it.
 */
export interface FsAdapter {
  /** The bytes of a file, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** lstat: does not follow a final symlink. undefined when nothing is there. */
  stat(path: string): Promise<FileStat | undefined>;
  /** Write to a temporary file beside `path`, then rename over it: never a half-written file. */
  writeFileAtomic(path: string, data: Buffer | string, mode?: number): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string | undefined>;
  /** The path with every symlink resolved, or undefined when it (or a link in it) leads nowhere. */
  realpath(path: string): Promise<string | undefined>;
  chmod(path: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  touch(path: string): Promise<void>;
  /** A fresh path beside `dest` for a temporary file (same directory, so rename is atomic). */
  tempPath(dest: string): string;
}

export function tempPathFor(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.runbook-${randomBytes(4).toString("hex")}.tmp`);
}

/** mkdir -p: the first directory it made (as fs.mkdir), and the real reason when it cannot (see mkdirCause). */
export async function mkdirp(path: string, mode?: number): Promise<string | undefined> {
  try {
    return await fsp.mkdir(path, { recursive: true, mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    const cause = await mkdirCause(path, mode);
    if (cause) throw cause;
    return undefined;
  }
}

/**
 * Node's recursive mkdir says ENOENT when a parent cannot be made (a read-only mount, no
 * permission): make the first missing one alone to get the real reason (EROFS, EACCES).
 */
async function mkdirCause(path: string, mode: number | undefined): Promise<unknown> {
  let missing = resolve(path);
  while (dirname(missing) !== missing && !(await fsp.lstat(dirname(missing)).catch(() => undefined))) {
    missing = dirname(missing);
  }
  try {
    await fsp.mkdir(missing, { mode });
  } catch (e) {
    return e;
  }
  // It could be made after all (a race): try the whole path again.
  return fsp.mkdir(path, { recursive: true, mode }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

export const localFs: FsAdapter = {
  async readFile(path) {
    try {
      return await fsp.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  },
  async stat(path) {
    try {
      const s = await fsp.lstat(path);
      const type = s.isFile() ? "file" : s.isDirectory() ? "directory" : s.isSymbolicLink() ? "symlink" : "other";
      return { type, mode: s.mode & 0o7777, size: s.size, mtimeMs: s.mtimeMs };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw e;
    }
  },
  async writeFileAtomic(path, data, mode) {
    const tmp = tempPathFor(path);
    try {
      await fsp.writeFile(tmp, data, { mode: mode ?? 0o644, flag: "wx" });
      if (mode !== undefined) await fsp.chmod(tmp, mode);
      await fsp.rename(tmp, path);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  },
  async mkdir(path, mode) {
    await mkdirp(path, mode);
  },
  async remove(path) {
    await fsp.rm(path, { recursive: true, force: true });
  },
  async symlink(target, path) {
    await fsp.symlink(target, path);
  },
  async readlink(path) {
    try {
      return await fsp.readlink(path);
    } catch {
      return undefined;
    }
  },
  async realpath(path) {
    try {
      return await fsp.realpath(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return undefined;
      throw e;
    }
  },
  async chmod(path, mode) {
    await fsp.chmod(path, mode);
  },
  async rename(from, to) {
    await fsp.rename(from, to);
  },
  async touch(path) {
    const now = new Date();
    try {
      await fsp.utimes(path, now, now);
    } catch {
      const fh = await fsp.open(path, constants.O_CREAT | constants.O_WRONLY, 0o644);
      await fh.close();
    }
  },
  tempPath: tempPathFor,
};
