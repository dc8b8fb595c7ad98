import { createHash } from "node:crypto";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import type { FsAdapter } from "../io/fs.js";
import type { ActionContext, ActionResult, PlanInfo } from "./types.js";
import { ActionFailure, defineAction } from "./types.js";
import { contentDiff } from "./util/diff.js";
import { attempt } from "./util/fail.js";

const fetchSchema = z
  .strictObject({
    src: z.string().min(1).describe("the file on the target (a file, not a directory)"),
    dest: z
      .string()
      .min(1)
      .describe(
        "on the controller, relative to the playbook: a folder that gets <inventory_hostname>/<src>, or with flat the file itself",
      ),
    flat: z
      .boolean()
      .default(false)
      .describe("write to dest itself (or into dest/ when it ends with /), without the host/path folders"),
    fail_on_missing: z.boolean().default(true).describe("false: a missing src is ok, nothing is fetched"),
    validate_checksum: z
      .boolean()
      .default(true)
      .describe("re-read the controller copy and compare its checksum with the fetched bytes"),
  })
  .describe("Copy a file from the target to the controller (a kubeconfig, a token)");

export type FetchArgs = z.output<typeof fetchSchema>;

const hash = (algo: string, b: Buffer) => createHash(algo).update(b).digest("hex");

/** Where the copy goes on the controller: Ansible's dest/<host>/<src> unless flat. */
function destPath(a: FetchArgs, ctx: ActionContext): string {
  const base = isAbsolute(a.dest) ? a.dest : resolve(ctx.baseDir, a.dest);
  if (a.flat) return a.dest.endsWith("/") ? join(base, basename(a.src)) : base;
  const host = typeof ctx.vars.inventory_hostname === "string" ? ctx.vars.inventory_hostname : "localhost";
  return join(base, host, a.src);
}

interface Fetched {
  dest: string;
  remote?: Buffer | undefined;
  local?: Buffer | undefined;
  mode?: number | undefined;
  controller: FsAdapter;
}

async function inspect(a: FetchArgs, ctx: ActionContext): Promise<Fetched> {
  const controller = ctx.controllerFs ?? ctx.fs;
  const dest = destPath(a, ctx);
  const real = (await attempt("read", a.src, () => ctx.fs.realpath(a.src))) ?? a.src;
  const st = await attempt("read", a.src, () => ctx.fs.stat(real));
  if (st?.type === "directory") throw new ActionFailure(`src ${a.src} is a directory: fetch copies files only`);
  const remote = st ? await attempt("read", a.src, () => ctx.fs.readFile(real)) : undefined;
  const local = await attempt("read", dest, () => controller.readFile(dest));
  return { dest, remote, local, mode: st?.mode, controller };
}

function missing(a: FetchArgs, dest: string): ActionResult {
  const msg = `the remote file ${a.src} does not exist, not transferring`;
  if (a.fail_on_missing) throw new ActionFailure(msg, { changed: false, file: a.src, dest });
  return { changed: false, msg, file: a.src, dest };
}

export const fetchAction = defineAction<FetchArgs>({
  name: "fetch",
  description: "Copy a file from the target to the controller; changed only when the controller copy differs",
  schema: fetchSchema,
  async plan(args, ctx): Promise<PlanInfo> {
    const f = await inspect(args, ctx);
    if (f.remote === undefined) {
      if (args.fail_on_missing) missing(args, f.dest);
      return { summary: `fetch ${args.src}: missing on the target, nothing to fetch`, willChange: false };
    }
    const same = f.local?.equals(f.remote) ?? false;
    const d = same ? {} : contentDiff(f.dest, f.local, f.remote, ctx.noLog);
    return {
      summary: same
        ? `${f.dest} (no change)`
        : `fetch ${args.src} → ${f.dest}${f.local ? " (content changed)" : " (new file)"}`,
      diff: d.diff,
      details: d.note ? [d.note] : undefined,
      willChange: !same,
      data: { src: args.src, dest: f.dest, checksum: hash("sha1", f.remote) },
    };
  },
  async run(args, ctx) {
    const f = await inspect(args, ctx);
    if (f.remote === undefined) return missing(args, f.dest);
    const remote = f.remote;
    const sums = { checksum: hash("sha1", remote), md5sum: hash("md5", remote) };
    if (f.local?.equals(remote)) return { changed: false, file: args.src, dest: f.dest, ...sums };
    await attempt("create directory", dirname(f.dest), () => f.controller.mkdir(dirname(f.dest)));
    // The copy keeps the source's mode: a fetched kubeconfig or token stays private (0600).
    await attempt("write", f.dest, () => f.controller.writeFileAtomic(f.dest, remote, f.mode));
    if (args.validate_checksum) {
      const written = await attempt("read", f.dest, () => f.controller.readFile(f.dest));
      if (written === undefined || hash("sha1", written) !== sums.checksum)
        throw new ActionFailure(`checksum mismatch after writing ${f.dest}`, { changed: true, dest: f.dest });
    }
    const result: ActionResult = { changed: true, file: args.src, dest: f.dest, ...sums };
    const d = contentDiff(f.dest, f.local, remote, ctx.noLog);
    if (d.diff !== undefined) result.diff = d.diff;
    return result;
  },
});
