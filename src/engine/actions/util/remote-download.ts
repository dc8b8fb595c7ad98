import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { formatChecksum, urlBasename } from "../../io/checksum.js";
import type { DownloadOptions } from "../../io/download.js";
import { sq } from "../../io/ssh/quote.js";
import { type ActionContext, ActionFailure, type ActionResult } from "../types.js";

// Hosts that download the same URL at once share one fetch on the controller.
const staging = new Map<string, Promise<{ path: string; hex: string; size: number }>>();

/** The sha256 of a file on the target (sha256sum, or shasum on BSD/macOS), undefined when it is not there. */
async function targetSha256(ctx: ActionContext, path: string): Promise<string | undefined> {
  const p = sq(path);
  const r = await ctx.exec.run({
    shell: `[ -f ${p} ] || exit 3; if command -v sha256sum >/dev/null; then sha256sum -- ${p}; else shasum -a 256 -- ${p}; fi`,
    become: ctx.become,
    becomeUser: ctx.becomeUser,
    signal: ctx.signal,
  });
  if (r.rc === 3) return undefined;
  const hex = /^[0-9a-f]{64}/.exec(r.stdout)?.[0];
  if (r.rc !== 0 || !hex) throw new ActionFailure(`cannot checksum ${path} on the host: ${r.stderr || `rc ${r.rc}`}`);
  return hex;
}

/**
 * download on an SSH host: nothing is fetched when the host already has the expected bytes; else the
 * file is fetched and verified once on the controller (its cache), pushed over the connection and
 * verified again on the host. N hosts cost one download, and need no internet themselves.
 */
export async function downloadToTarget(opts: DownloadOptions, ctx: ActionContext): Promise<ActionResult> {
  const { download, expectedHex } = await import("../../io/download.js");
  let dest = opts.dest;
  if (dest.endsWith("/") || (await ctx.fs.stat(dest))?.type === "directory") {
    const name = urlBasename(opts.url);
    if (!name) throw new ActionFailure(`${dest} is a directory and the URL has no file name to save under`);
    dest = join(dest, name);
  }
  const want = await expectedHex(opts, true);
  const present = await targetSha256(ctx, dest);
  const st = present ? await ctx.fs.stat(dest) : undefined;
  const keep = async (hex: string): Promise<ActionResult> => {
    const modeChanged = opts.mode !== undefined && st !== undefined && st.mode !== opts.mode;
    if (modeChanged) await ctx.fs.chmod(dest, opts.mode!);
    return {
      changed: modeChanged,
      dest,
      checksum: formatChecksum(hex),
      size: st?.size,
      msg: `${dest} already present`,
    };
  };
  if (present && !opts.force && want !== undefined && present === want) return keep(present);
  const key = `${opts.url}\u0000${want ?? ""}\u0000${opts.force ? "force" : ""}`;
  let staged = staging.get(key);
  if (!staged) {
    const dir = join(opts.cacheDir ?? "/tmp", "staging", createHash("sha256").update(key).digest("hex").slice(0, 16));
    staged = download({ ...opts, dest: join(dir, urlBasename(opts.url) || "download"), mode: 0o600 }).then((r) => ({
      path: r.dest,
      hex: r.checksum.replace(/^sha256:/, ""),
      size: r.size,
    }));
    staging.set(key, staged);
    // A failed fetch is not remembered: the next host (or run) tries again.
    staged.catch(() => staging.delete(key));
  }
  const got = await staged;
  if (present === got.hex && !opts.force) return keep(present);
  await ctx.fs.mkdir(dirname(dest));
  await ctx.fs.writeFileAtomic(dest, await readFile(got.path), opts.mode ?? st?.mode ?? 0o644);
  const after = await targetSha256(ctx, dest);
  if (after !== got.hex)
    throw new ActionFailure(`${dest} on the host has sha256:${after ?? "nothing"}, expected sha256:${got.hex}`);
  return {
    changed: true,
    dest,
    checksum: formatChecksum(got.hex),
    size: got.size,
    msg: `pushed ${dest} (${got.size} bytes)`,
  };
}
