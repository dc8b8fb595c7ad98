import { z } from "zod";

// tar and the zip reader are loaded with the first archive, not at start-up.
const loadArchive = () => import("../io/archive.js");

import { modeArg, resolveArgPath } from "./file-args.js";
import { type ActionContext, ActionFailure, defineAction, type PlanInfo } from "./types.js";
import { remoteNotYet } from "./util/remote.js";

const UNITS: Record<string, number> = {
  ...{ "": 1, b: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2 },
  ...{ g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3, t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4 },
};

/** A size in bytes: a number, or "500MiB", "2 GiB", "1.5G" (K/M/G/T and KiB… are 1024-based, KB/MB/GB 1000-based). */
const sizeArg = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `invalid size ${JSON.stringify(v)}: expected bytes or e.g. "500MiB", "2GiB"`,
    });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * unit);
});

const unarchiveArgs = z
  .object({
    src: z
      .string()
      .min(1)
      .describe(
        "The archive on the target: tar, tar.gz/tgz or zip, told apart by content. Relative paths resolve against the playbook",
      ),
    dest: z
      .string()
      .min(1)
      .describe("Directory to extract into; created if missing. Nothing is ever written outside it"),
    strip_components: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("Leading path components to drop from each entry, as tar --strip-components"),
    include: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (typeof v === "string" ? [v] : v))
      .optional()
      .describe(
        'Glob patterns (on the path after stripping) of the entries to extract, e.g. "bin/istioctl"; default all',
      ),
    creates: z.string().optional().describe("Skip the step when this path already exists"),
    mode: modeArg
      .optional()
      .describe('Permission bits for every extracted file (e.g. "0755"); default: as in the archive'),
    max_size: sizeArg
      .optional()
      .describe(
        'Most bytes the extracted files may add up to (e.g. "500MiB"); a bigger archive is refused before anything is written. Default 2GiB',
      ),
    keep_setuid: z
      .boolean()
      .default(false)
      .describe("Keep the setuid, setgid and sticky bits of the archive's entries; by default they are dropped"),
  })
  .strict();

export type UnarchiveArgs = z.infer<typeof unarchiveArgs>;

function paths(args: UnarchiveArgs, ctx: ActionContext) {
  return {
    src: resolveArgPath(ctx.baseDir, args.src),
    dest: resolveArgPath(ctx.baseDir, args.dest),
    creates: args.creates === undefined ? undefined : resolveArgPath(ctx.baseDir, args.creates),
  };
}

function shortList(files: string[]): string[] {
  return files.length > 20 ? [...files.slice(0, 20), `... and ${files.length - 20} more`] : files;
}

export const unarchiveAction = defineAction({
  name: "unarchive",
  description: "Extract a tar, tar.gz or zip archive into a directory, never writing outside it",
  schema: unarchiveArgs,
  async run(args, ctx) {
    remoteNotYet(ctx, "unarchive");
    const { src, dest, creates } = paths(args, ctx);
    if (creates && (await ctx.fs.stat(creates))) {
      return { changed: false, dest, files: [], msg: `skipped: ${creates} exists` };
    }
    if (!(await ctx.fs.stat(src))) throw new ActionFailure(`archive ${src} does not exist`, { dest });
    try {
      const opts = {
        src,
        dest,
        stripComponents: args.strip_components,
        include: args.include,
        mode: args.mode,
        maxSize: args.max_size,
        keepSetuid: args.keep_setuid,
      };
      const { extract } = await loadArchive();
      const r = await extract(opts);
      const msg = `${r.changed ? "extracted" : "already extracted"} ${r.files.length} entries of ${src} into ${dest}`;
      return { changed: r.changed, dest, files: r.files, msg };
    } catch (e) {
      throw new ActionFailure((e as Error).message, { dest });
    }
  },
  async plan(args, ctx): Promise<PlanInfo> {
    const { src, dest, creates } = paths(args, ctx);
    if (creates && (await ctx.fs.stat(creates))) {
      return { summary: `extract ${src} into ${dest}`, willChange: false, skipReason: `${creates} exists` };
    }
    // The archive usually comes from an earlier download step, so it may not exist yet at plan time.
    if (!(await ctx.fs.stat(src))) {
      return { summary: `extract ${src} into ${dest} (archive not present yet)`, willChange: undefined };
    }
    const select = { stripComponents: args.strip_components, include: args.include, dest, maxSize: args.max_size };
    const { entryLabel, extract, listArchive } = await loadArchive();
    const listed = await listArchive(src, select).catch((e: Error) => e);
    if (listed instanceof Error)
      return { summary: `extract ${src} into ${dest} would fail: ${listed.message}`, willChange: undefined };
    if (listed.problems.length) {
      return {
        summary: `refuse to extract ${src}: ${listed.problems[0]}`,
        willChange: false,
        details: listed.problems,
      };
    }
    const check = await extract({ src, ...select, mode: args.mode, keepSetuid: args.keep_setuid, dryRun: true });
    const files = listed.entries.map(entryLabel);
    return {
      summary: `extract ${files.length} entries of ${src} (${listed.format}) into ${dest}`,
      willChange: check.changed,
      details: shortList(files),
      data: { src, dest, format: listed.format, files },
    };
  },
});
