import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { FileStat } from "../io/fs.js";
import type { ActionContext, PlanInfo } from "./types.js";
import { ActionFailure, defineAction } from "./types.js";
import { attempt } from "./util/fail.js";
import { refusal, tooBigToRemove } from "./util/guard.js";
import { formatMode, modeSchema } from "./util/mode.js";

const fileSchema = z
  .strictObject({
    path: z.string().min(1).describe("the file, directory or link to manage"),
    state: z
      .enum(["file", "directory", "absent", "touch", "link"])
      .default("file")
      .describe(
        "file: an existing file (only its mode is adjusted; fails if missing); directory: created with its parents; " +
          "absent: removed, recursively; touch: created or its times updated (always changed); link: a symlink to src",
      ),
    mode: modeSchema.optional().describe('permission bits, e.g. "0755" (not for state: link)'),
    src: z.string().min(1).optional().describe("for state: link, what the link points to (kept as written)"),
    force: z
      .boolean()
      .default(false)
      .describe(
        "for state: link, replace an existing file and allow a src that does not exist yet; for state: absent, allow removing /, a top-level folder or the home folder",
      ),
  })
  .refine((a) => a.state !== "link" || a.src !== undefined, { message: "state: link needs src", path: ["src"] })
  .refine((a) => a.state === "link" || a.src === undefined, {
    message: "src is only used with state: link",
    path: ["src"],
  })
  .refine((a) => a.state !== "link" || a.mode === undefined, {
    message: "mode is not used with state: link",
    path: ["mode"],
  })
  .describe("Manage a file, directory or symlink: its existence and its mode");

export type FileArgs = z.output<typeof fileSchema>;

/** One change to make; `decide` lists them, `run` carries them out, `plan` only describes them. */
type Op =
  | { kind: "remove"; path: string }
  | { kind: "mkdir"; path: string }
  | { kind: "chmod"; path: string; mode: number }
  | { kind: "touch"; path: string }
  | { kind: "symlink"; path: string; src: string };

interface Decision {
  ops: Op[];
  summary: string;
  /** undefined when it depends on what earlier steps do (a file that must exist at run time). */
  willChange?: boolean | undefined;
  /** Set when running would fail: plan reports it, run throws it. */
  failure?: string | undefined;
}

/** lstat, and for a symlink the stat of what it points to (undefined when dangling). */
async function statFollow(ctx: ActionContext, path: string): Promise<{ path: string; st?: FileStat | undefined }> {
  const st = await attempt("read", path, () => ctx.fs.stat(path));
  if (st?.type !== "symlink") return { path, st };
  const real = await attempt("read", path, () => ctx.fs.realpath(path));
  return real === undefined ? { path } : { path: real, st: await attempt("read", real, () => ctx.fs.stat(real)) };
}

function chmodOp(path: string, st: FileStat, mode: number | undefined): { ops: Op[]; note: string } {
  if (mode === undefined || st.mode === mode) return { ops: [], note: "" };
  return { ops: [{ kind: "chmod", path, mode }], note: `mode ${formatMode(st.mode)} → ${formatMode(mode)}` };
}

async function decideLink(ctx: ActionContext, a: FileArgs, src: string): Promise<Decision> {
  const st = await attempt("read", a.path, () => ctx.fs.stat(a.path));
  const link: Op = { kind: "symlink", path: a.path, src };
  if (st?.type === "symlink") {
    const current = await ctx.fs.readlink(a.path);
    if (current === src) return { ops: [], summary: `${a.path} (no change)`, willChange: false };
    return { ops: [link], summary: `relink ${a.path} → ${src} (was ${current})`, willChange: true };
  }
  if (st?.type === "directory") {
    return {
      ops: [],
      summary: `link ${a.path}`,
      failure: `${a.path} is a directory; remove it first to put a link there`,
    };
  }
  if (st && !a.force) {
    return {
      ops: [],
      summary: `link ${a.path}`,
      failure: `refusing to replace the ${st.type} ${a.path} with a link (set force: true)`,
    };
  }
  // A relative link target is relative to the link's own directory, as for ln -s.
  const target = resolve(dirname(a.path), src);
  if (!a.force && (await attempt("read", target, () => ctx.fs.stat(target))) === undefined) {
    return {
      ops: [],
      summary: `link ${a.path} → ${src}`,
      failure: `link src ${target} does not exist (set force: true to link anyway)`,
    };
  }
  return { ops: [link], summary: `link ${a.path} → ${src}${st ? ` (replacing a ${st.type})` : ""}`, willChange: true };
}

async function decide(ctx: ActionContext, a: FileArgs): Promise<Decision> {
  if (a.state === "link") return decideLink(ctx, a, a.src ?? "");
  if (a.state === "absent") {
    const st = await attempt("read", a.path, () => ctx.fs.stat(a.path));
    if (!st) return { ops: [], summary: `${a.path} (no change: absent)`, willChange: false };
    const why = a.force ? undefined : await tooBigToRemove(ctx, a.path);
    if (why) return { ops: [], summary: `refuse to remove ${a.path}: ${why}`, failure: refusal(a.path, why) };
    return { ops: [{ kind: "remove", path: a.path }], summary: `remove ${a.path} (${st.type})`, willChange: true };
  }
  const { path, st } = await statFollow(ctx, a.path);
  const modeNote = a.mode !== undefined ? ` (mode ${formatMode(a.mode)})` : "";
  if (a.state === "touch") {
    const ops: Op[] = [{ kind: "touch", path }];
    if (a.mode !== undefined) ops.push({ kind: "chmod", path, mode: a.mode });
    const notes = [st ? "" : "new file", a.mode !== undefined ? `mode ${formatMode(a.mode)}` : ""].filter(Boolean);
    return { ops, summary: `touch ${a.path}${notes.length ? ` (${notes.join(", ")})` : ""}`, willChange: true };
  }
  if (a.state === "directory") {
    if (!st) {
      const ops: Op[] = [{ kind: "mkdir", path }];
      if (a.mode !== undefined) ops.push({ kind: "chmod", path, mode: a.mode });
      return { ops, summary: `create directory ${a.path}${modeNote}`, willChange: true };
    }
    if (st.type !== "directory") {
      return {
        ops: [],
        summary: `directory ${a.path}`,
        failure: `${a.path} exists and is a ${st.type}, not a directory`,
      };
    }
  } else if (!st) {
    return {
      ops: [],
      summary: `check ${a.path} (does not exist now: fails unless an earlier step creates it)`,
      failure: `file ${a.path} does not exist (state: file never creates files; use copy, template or state: touch)`,
    };
  } else if (st.type !== "file") {
    return { ops: [], summary: `file ${a.path}`, failure: `${a.path} is a ${st.type}, not a file` };
  }
  const { ops, note } = chmodOp(path, st, a.mode);
  return ops.length
    ? { ops, summary: `chmod ${a.path} (${note})`, willChange: true }
    : { ops, summary: `${a.path} (no change)`, willChange: false };
}

async function apply(ctx: ActionContext, op: Op): Promise<void> {
  switch (op.kind) {
    case "remove":
      return attempt("remove", op.path, () => ctx.fs.remove(op.path));
    case "mkdir":
      return attempt("create directory", op.path, () => ctx.fs.mkdir(op.path));
    case "chmod":
      return attempt("chmod", op.path, () => ctx.fs.chmod(op.path, op.mode));
    case "touch":
      return attempt("touch", op.path, () => ctx.fs.touch(op.path));
    case "symlink": {
      // Build the link beside its final place, then rename over: the path is never missing.
      const tmp = ctx.fs.tempPath(op.path);
      await attempt("create link", op.path, () => ctx.fs.symlink(op.src, tmp));
      try {
        await attempt("create link", op.path, () => ctx.fs.rename(tmp, op.path));
      } catch (e) {
        await ctx.fs.remove(tmp);
        throw e;
      }
    }
  }
}

export const fileAction = defineAction<FileArgs>({
  name: "file",
  description: "Make a file, directory or symlink exist (or not) with the given mode",
  schema: fileSchema,
  async plan(args, ctx): Promise<PlanInfo> {
    const d = await decide(ctx, args);
    return {
      summary: d.summary,
      willChange: d.failure ? undefined : d.willChange,
      details: d.failure ? [d.failure] : undefined,
    };
  },
  async run(args, ctx) {
    const d = await decide(ctx, args);
    const result: Record<string, unknown> = { changed: false, path: args.path, state: args.state };
    if (d.failure) throw new ActionFailure(d.failure, result);
    for (const op of d.ops) await apply(ctx, op);
    const after = args.state === "absent" ? undefined : (await statFollow(ctx, args.path)).st;
    if (args.src !== undefined) result.src = args.src;
    if (after && args.state !== "link") result.mode = formatMode(after.mode);
    return { ...result, changed: d.ops.length > 0 };
  },
});
