import { z } from "zod";

// tar and the zip reader are loaded with the first archive, not at start-up.
const loadArchive = () => import("../io/archive.js");

import { modeArg, resolveArgPath } from "./file-args.js";
import { type ActionContext, ActionFailure, defineAction, type PlanInfo } from "./types.js";
import { remoteNotYet } from "./util/remote.js";

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
      const opts = { src, dest, stripComponents: args.strip_components, include: args.include, mode: args.mode };
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
    const select = { stripComponents: args.strip_components, include: args.include, dest };
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
    const check = await extract({ src, ...select, mode: args.mode, dryRun: true });
    const files = listed.entries.map(entryLabel);
    return {
      summary: `extract ${files.length} entries of ${src} (${listed.format}) into ${dest}`,
      willChange: check.changed,
      details: shortList(files),
      data: { src, dest, format: listed.format, files },
    };
  },
});
