import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";

/** Above this size either side is summarised instead of diffed. */
export const MAX_DIFF_BYTES = 256 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export interface ContentDiff {
  /** A unified diff with labels a/<dest> and b/<dest>; absent when content is hidden, binary or large. */
  diff?: string | undefined;
  /** Why there is no diff, when there is a difference but no diff to show. */
  note?: string | undefined;
}

/**
 * What changes between the bytes on disk (`before`, undefined for a new file) and `after`.
 * With `noLog`, nothing of the content is revealed.
 */
export function contentDiff(dest: string, before: Buffer | undefined, after: Buffer, noLog: boolean): ContentDiff {
  const old = before ?? Buffer.alloc(0);
  if (before !== undefined && old.equals(after)) return {};
  if (noLog) return { note: "content hidden (no_log)" };
  if (old.length > MAX_DIFF_BYTES || after.length > MAX_DIFF_BYTES || !isText(old) || !isText(after)) {
    return { note: `binary/large file differs (${old.length} bytes → ${after.length} bytes)` };
  }
  // git-style labels; an absolute dest keeps its path without doubling the slash (a/etc/x, not a//etc/x).
  const label = dest.replace(/^\/+/, "");
  const diff = createTwoFilesPatch(
    `a/${label}`,
    `b/${label}`,
    old.toString("utf8"),
    after.toString("utf8"),
    undefined,
    undefined,
    {
      headerOptions: FILE_HEADERS_ONLY,
    },
  );
  return { diff };
}
