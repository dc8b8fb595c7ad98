import { basename, join } from "node:path";
import { z } from "zod";
import type { ActionContext } from "./types.js";
import { ActionFailure, defineAction } from "./types.js";
import { attempt } from "./util/fail.js";
import { modeSchema } from "./util/mode.js";
import { readSource, sourcePath } from "./util/source.js";
import { applyWrite, planWrite, type WriteRequest } from "./util/write.js";

const copySchema = z
  .strictObject({
    src: z.string().min(1).optional().describe("file to copy, relative to the playbook (or task file) that names it"),
    // A single-expression template keeps its type ("{{ n }}" of 42): a number or boolean is written as its text, as Ansible does.
    content: z
      .preprocess((v) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v), z.string())
      .optional()
      .describe("literal content to write instead of src"),
    dest: z
      .string()
      .min(1)
      .describe(
        "destination path; ending in / or naming an existing directory puts the file inside it under src's name",
      ),
    mode: modeSchema.optional().describe('permission bits, e.g. "0644"; an existing file keeps its mode when omitted'),
    backup: z.boolean().default(false).describe("keep the old content as dest.<timestamp>~ when it changes"),
    force: z
      .boolean()
      .default(true)
      .describe("false: leave the content of an existing dest alone (mode is still applied)"),
  })
  .refine((a) => (a.src === undefined) !== (a.content === undefined), {
    message: "copy needs exactly one of src or content",
  })
  .describe("Copy a file from beside the playbook, or write literal content, atomically");

export type CopyArgs = z.output<typeof copySchema>;

/** Whether path is a directory, or a symlink to one. */
async function isDirectory(ctx: ActionContext, path: string): Promise<boolean> {
  const real = await attempt("read", path, () => ctx.fs.realpath(path));
  return real !== undefined && (await attempt("read", real, () => ctx.fs.stat(real)))?.type === "directory";
}

/** The request after resolving where the file goes and reading what it should hold. */
async function request(args: CopyArgs, ctx: ActionContext): Promise<WriteRequest> {
  let dest = args.dest;
  let content: Buffer;
  if (args.src !== undefined) {
    const src = sourcePath(ctx, args.src);
    content = await readSource(ctx, src);
    if (dest.endsWith("/") || (await isDirectory(ctx, dest))) dest = join(dest, basename(src));
  } else {
    if (args.dest.endsWith("/"))
      throw new ActionFailure(`copy with content needs a file path as dest, not ${args.dest}`);
    content = Buffer.from(args.content ?? "", "utf8");
  }
  return { dest, content, mode: args.mode, backup: args.backup, force: args.force };
}

export const copyAction = defineAction<CopyArgs>({
  name: "copy",
  description: "Copy a file or write content to dest atomically; changed only if the bytes or the mode differ",
  schema: copySchema,
  async plan(args, ctx) {
    return planWrite(ctx, await request(args, ctx));
  },
  async run(args, ctx) {
    const req = await request(args, ctx);
    // "dest/" names a directory to copy into: create it, as Ansible does.
    if (args.dest.endsWith("/")) await attempt("create directory", args.dest, () => ctx.fs.mkdir(args.dest));
    return applyWrite(ctx, req);
  },
});
