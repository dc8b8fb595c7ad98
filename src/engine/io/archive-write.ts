import { createHash } from "node:crypto";
import { createWriteStream, promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { PlannedEntry } from "./archive-paths.js";
import { sha256File } from "./checksum.js";
import { mkdirp, tempPathFor } from "./fs.js";

/**
 * Writes planned entries under dest: each file through a temp file, renamed only when bytes or
 * mode differ. With `dryRun` it writes nothing and only works out whether anything would change.
 */
export class EntryWriter {
  changed = false;
  /** Parents already checked on disk: the reason writing below one is unsafe, or undefined. */
  private readonly parents = new Map<string, string | undefined>();

  /** Bytes of file bodies written (or compared) so far, held under `maxSize`. */
  private written = 0;

  constructor(
    readonly dest: string,
    readonly dryRun = false,
    readonly maxSize = Number.POSITIVE_INFINITY,
  ) {}

  /** Count a body's bytes as they pass; a body longer than the limit stops the extraction mid-file. */
  private counted(rel: string): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
    const self = this;
    return async function* (source) {
      for await (const chunk of source) {
        self.written += chunk.length;
        if (self.written > self.maxSize) {
          throw new Error(`the files add up to more than max_size (${self.maxSize} bytes) at "${rel}"`);
        }
        yield chunk;
      }
    };
  }

  /** Record a change; true when the caller should go on and make it. */
  private change(): boolean {
    this.changed = true;
    return !this.dryRun;
  }

  /** Why writing `rel` would escape dest through something already on disk (a symlinked parent), if it would. */
  async checkOnDisk(rel: string): Promise<string | undefined> {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!this.parents.has(parent)) {
        const st = await fsp.lstat(join(this.dest, parent)).catch(() => undefined);
        const why = st?.isSymbolicLink()
          ? `entry "${rel}" would be written through the existing symlink ${join(this.dest, parent)}`
          : st && !st.isDirectory()
            ? `entry "${rel}" needs ${join(this.dest, parent)} to be a directory, but it is a file`
            : undefined;
        this.parents.set(parent, why);
      }
      const why = this.parents.get(parent);
      if (why) return why;
    }
    return undefined;
  }

  private async parentOf(path: string): Promise<void> {
    const dir = dirname(path);
    const exists = await fsp.stat(dir).catch(() => undefined);
    if (exists || !this.change()) return;
    await mkdirp(dir);
  }

  async dir(e: PlannedEntry, mode: number): Promise<void> {
    const path = join(this.dest, e.rel);
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st?.isDirectory()) {
      if ((st.mode & 0o7777) !== mode && this.change()) await fsp.chmod(path, mode);
      return;
    }
    if (!this.change()) return;
    if (st) await fsp.rm(path, { force: true });
    await mkdirp(path, mode);
    await fsp.chmod(path, mode);
  }

  async file(e: PlannedEntry, body: AsyncIterable<Buffer>, mode: number): Promise<void> {
    const path = join(this.dest, e.rel);
    await this.parentOf(path);
    if (this.dryRun) return this.compareOnly(path, this.counted(e.rel)(body), mode);
    const tmp = tempPathFor(path);
    try {
      const hash = createHash("sha256");
      await pipeline(
        body,
        this.counted(e.rel),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: "wx", mode: 0o600 }),
      );
      const hex = hash.digest("hex");
      const st = await fsp.lstat(path).catch(() => undefined);
      if (st?.isFile() && (st.mode & 0o7777) === mode && (await sha256File(path))?.hex === hex) {
        await fsp.rm(tmp, { force: true });
        return;
      }
      if (st?.isDirectory()) throw new Error(`${path} is a directory; the archive has a file there`);
      await fsp.chmod(tmp, mode);
      await fsp.rename(tmp, path);
      this.change();
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
  }

  private async compareOnly(path: string, body: AsyncIterable<Buffer>, mode: number): Promise<void> {
    const hash = createHash("sha256");
    for await (const chunk of body) hash.update(chunk);
    const st = await fsp.lstat(path).catch(() => undefined);
    const same = st?.isFile() && (st.mode & 0o7777) === mode && (await sha256File(path))?.hex === hash.digest("hex");
    if (!same) this.change();
  }

  async symlink(e: PlannedEntry): Promise<void> {
    const path = join(this.dest, e.rel);
    const target = e.linkTarget ?? "";
    await this.parentOf(path);
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink() && (await fsp.readlink(path)) === target) return;
    if (st?.isDirectory()) throw new Error(`${path} is a directory; the archive has a symlink there`);
    if (!this.change()) return;
    // Make the link beside it and rename over, so the old file stays until the new link exists.
    const tmp = tempPathFor(path);
    await fsp.symlink(target, tmp);
    await fsp.rename(tmp, path).catch(async (err) => {
      await fsp.rm(tmp, { force: true });
      throw err;
    });
  }

  async hardlink(e: PlannedEntry): Promise<void> {
    const path = join(this.dest, e.rel);
    const from = join(this.dest, e.linkRel ?? "");
    await this.parentOf(path);
    const [a, b] = await Promise.all([fsp.lstat(path).catch(() => undefined), fsp.lstat(from).catch(() => undefined)]);
    if (a && b && a.ino === b.ino && a.dev === b.dev) return;
    if (!this.change()) return;
    const tmp = tempPathFor(path);
    await fsp.link(from, tmp);
    await fsp.rename(tmp, path).catch(async (err) => {
      await fsp.rm(tmp, { force: true });
      throw err;
    });
  }
}
