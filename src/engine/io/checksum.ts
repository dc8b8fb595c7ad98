import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { posix } from "node:path";

/** A parsed `checksum` argument: the digest itself, or where to fetch it. */
export type ChecksumSpec = { kind: "hex"; hex: string } | { kind: "url"; url: string };

const HEX64 = /^[0-9a-f]{64}$/i;

/** Parse `sha256:<hex>` or `sha256:<url of a checksum file>`; throws a user-facing message otherwise. */
export function parseChecksumSpec(spec: string): ChecksumSpec {
  const m = /^sha256:(.+)$/i.exec(spec.trim());
  const value = m?.[1]?.trim();
  if (value && HEX64.test(value)) return { kind: "hex", hex: value.toLowerCase() };
  if (value && /^https?:\/\//i.test(value)) return { kind: "url", url: value };
  throw new Error(
    `checksum must be "sha256:<64 hex digits>" or "sha256:<http(s) url of a checksum file>", got "${spec}"`,
  );
}

export function formatChecksum(hex: string): string {
  return `sha256:${hex}`;
}

/** The last path segment of a URL, decoded: the name a checksum file lists. */
export function urlBasename(url: string): string {
  const pathname = new URL(url).pathname;
  return decodeURIComponent(posix.basename(pathname));
}

/**
 * Find the digest for `name` in a checksum file. Accepts `<hex> <name>` (Istio's release files),
 * `<hex>  <name>` and `<hex> *<name>` (sha256sum), BSD `SHA256 (<name>) = <hex>`, and a bare `<hex>`.
 * With several entries, the one whose name (or its basename) is `name` wins.
 */
export function parseChecksumFile(text: string, name: string): string {
  const entries: { hex: string; file: string | undefined }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const gnu = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line);
    const bsd = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/.exec(line);
    if (gnu?.[1]) entries.push({ hex: gnu[1].toLowerCase(), file: gnu[2]?.trim() });
    else if (bsd?.[1] && bsd[2]) entries.push({ hex: bsd[2].toLowerCase(), file: bsd[1] });
  }
  const match = entries.find((e) => e.file !== undefined && (e.file === name || posix.basename(e.file) === name));
  if (match) return match.hex;
  const [only] = entries;
  if (entries.length === 1 && only) return only.hex;
  if (entries.length === 0) throw new Error("it holds no sha256 digest");
  throw new Error(`it lists ${entries.length} files but none named "${name}"`);
}

/** sha256 of a file, streamed; undefined when it does not exist or is not a regular file. */
export async function sha256File(path: string): Promise<{ hex: string; size: number } | undefined> {
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
    throw e;
  }
  return { hex: hash.digest("hex"), size };
}
