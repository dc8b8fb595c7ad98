/** What a file-system error code means, in words a user can act on. */
const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a component of the path is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists",
  ENOTEMPTY: "directory not empty",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
};

/** Errors of this machine's disk, not of the network: retrying cannot help. */
const LOCAL = new Set(["ENOSPC", "EDQUOT", "EROFS", "EFBIG", "EIO", "EACCES", "EPERM", "EEXIST", "ENOTDIR", "EISDIR"]);

export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** "no space left on device (ENOSPC)", or undefined for an error without a known code. */
export function fsReason(e: unknown): string | undefined {
  const code = errnoCode(e);
  return code && code in REASONS ? `${REASONS[code]} (${code})` : undefined;
}

/** Whether `e` is a local file-system error (disk full, read-only, quota, permission). */
export function isLocalFsError(e: unknown): boolean {
  const code = errnoCode(e);
  return code !== undefined && LOCAL.has(code);
}
