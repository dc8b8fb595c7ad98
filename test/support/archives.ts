import { crc32, deflateRawSync, gzipSync } from "node:zlib";

/**
 * Minimal tar and zip writers for tests. They write exactly what they are told, including
 * hostile entries (`../x`, `/etc/x`, symlinks pointing out) that real archivers refuse to make.
 */
export interface ArchiveEntry {
  path: string;
  /** Hard links exist in tar only. */
  type?: "file" | "dir" | "symlink" | "hardlink";
  body?: string | Buffer;
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  /** Symlink target, or the archive path a hard link points at. */
  target?: string;
  /** The size the header declares, when it should lie about the body (a bomb, a truncated entry). */
  size?: number;
}

function defaultMode(e: ArchiveEntry): number {
  return e.mode ?? (e.type === "dir" ? 0o755 : e.type === "symlink" ? 0o777 : 0o644);
}

function octal(buf: Buffer, value: number, offset: number, width: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, "0")}\0`, offset, width, "ascii");
}

function tarHeader(e: ArchiveEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  // Long names go in the ustar prefix field, split at a slash.
  let name = e.path;
  let prefix = "";
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/");
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100, "utf8");
  octal(h, defaultMode(e), 100, 8);
  octal(h, 1000, 108, 8);
  octal(h, 1000, 116, 8);
  octal(h, size, 124, 12);
  octal(h, 1_700_000_000, 136, 12);
  const flag = { file: "0", dir: "5", symlink: "2", hardlink: "1" }[e.type ?? "file"];
  h.write(flag, 156, 1, "ascii");
  if (e.target) h.write(e.target, 157, 100, "utf8");
  h.write("ustar\u000000", 257, 8, "ascii");
  h.write(prefix, 345, 155, "utf8");
  h.fill(" ", 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return h;
}

/** A tar archive (gzip-compressed unless `gzip: false`). */
export function makeTar(entries: ArchiveEntry[], opts: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.type === "file" || e.type === undefined ? Buffer.from(e.body ?? "") : Buffer.alloc(0);
    parts.push(tarHeader(e, e.size ?? body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  return opts.gzip === false ? tar : gzipSync(tar);
}

/** A zip archive made on "unix" so modes and symlinks travel in the external attributes. */
export function makeZip(entries: ArchiveEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path);
    const raw = e.type === "symlink" ? Buffer.from(e.target ?? "") : Buffer.from(e.body ?? "");
    const deflate = raw.length > 64;
    const data = deflate ? deflateRawSync(raw) : raw;
    const kind = e.type === "dir" ? 0o040000 : e.type === "symlink" ? 0o120000 : 0o100000;
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(0x00210000, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.size ?? raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.size ?? raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((kind | defaultMode(e)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
