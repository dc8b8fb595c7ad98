import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { ActionContext, ActionResult, PlanInfo } from "../types.js";
import { ActionFailure } from "../types.js";
import { contentDiff } from "./diff.js";
import { attempt } from "./fail.js";
import { formatMode } from "./mode.js";

/** A file that copy and template want to exist with these bytes (and mode). */
export interface WriteRequest {
  dest: string;
  content: Buffer;
  mode?: number | undefined;
  backup: boolean;
  /** false: an existing dest keeps its content (its mode is still enforced). */
  force: boolean;
}

interface Inspection {
  /** Where the bytes go: dest, or the file a symlinked dest points at. */
  target: string;
  before?: Buffer | undefined;
  beforeMode?: number | undefined;
  writeContent: boolean;
  modeChanged: boolean;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Reads what is on disk at dest and decides what a write would change. Changes nothing. */
async function inspect(ctx: ActionContext, req: WriteRequest): Promise<Inspection> {
  let target = req.dest;
  let st = await attempt("read", target, () => ctx.fs.stat(target));
  // Like /etc/resolv.conf: a symlinked dest is updated where it points, so the link survives.
  if (st?.type === "symlink") {
    const real = await attempt("read", target, () => ctx.fs.realpath(req.dest));
    if (real !== undefined) {
      target = real;
      st = await attempt("read", target, () => ctx.fs.stat(real));
    } else {
      st = undefined;
    }
  }
  if (st && st.type !== "file")
    throw new ActionFailure(`dest ${req.dest} exists and is not a regular file (${st.type})`);
  const before = st ? await attempt("read", target, () => ctx.fs.readFile(target)) : undefined;
  const writeContent = before === undefined || (req.force && !before.equals(req.content));
  const modeChanged = st !== undefined && req.mode !== undefined && st.mode !== req.mode;
  return { target, before, beforeMode: st?.mode, writeContent, modeChanged };
}

function describeChange(req: WriteRequest, i: Inspection): string {
  if (i.before === undefined)
    return `write ${req.dest} (new file${req.mode !== undefined ? `, mode ${formatMode(req.mode)}` : ""})`;
  const parts: string[] = [];
  if (i.writeContent) parts.push("content changed");
  if (i.modeChanged && i.beforeMode !== undefined && req.mode !== undefined) {
    parts.push(`mode ${formatMode(i.beforeMode)} → ${formatMode(req.mode)}`);
  }
  if (parts.length === 0) return `${req.dest} (no change)`;
  return `${i.writeContent ? "write" : "chmod"} ${req.dest} (${parts.join(", ")})`;
}

/** The plan for a write: a one-line summary and a unified diff against what is on disk. */
export async function planWrite(ctx: ActionContext, req: WriteRequest): Promise<PlanInfo> {
  const i = await inspect(ctx, req);
  const d = i.writeContent ? contentDiff(req.dest, i.before, req.content, ctx.noLog) : {};
  return {
    summary: describeChange(req, i),
    diff: d.diff,
    details: d.note ? [d.note] : undefined,
    willChange: i.writeContent || i.modeChanged,
    data: { dest: req.dest, checksum: sha256(req.content), size: req.content.length },
  };
}

function backupPath(target: string, now: Date, n: number): string {
  const stamp = now
    .toISOString()
    .replace("T", "@")
    .replace(/\.\d+Z$/, "");
  return n === 0 ? `${target}.${stamp}~` : `${target}.${stamp}.${n}~`;
}

async function writeBackup(
  ctx: ActionContext,
  target: string,
  bytes: Buffer,
  mode: number | undefined,
): Promise<string> {
  const now = new Date();
  let n = 0;
  while (await ctx.fs.stat(backupPath(target, now, n))) n++;
  const path = backupPath(target, now, n);
  await attempt("write backup", path, () => ctx.fs.writeFileAtomic(path, bytes, mode));
  return path;
}

/** Makes dest hold the requested bytes and mode, atomically; `changed` only if either differed. */
export async function applyWrite(ctx: ActionContext, req: WriteRequest): Promise<ActionResult> {
  const i = await inspect(ctx, req);
  const result: ActionResult = { changed: i.writeContent || i.modeChanged, dest: req.dest };
  if (i.writeContent) {
    const dir = dirname(i.target);
    const parent = await attempt("read", dir, () => ctx.fs.stat(dir));
    if (parent?.type !== "directory")
      throw new ActionFailure(`destination directory ${dir} does not exist`, { ...result, changed: false });
    if (req.backup && i.before !== undefined)
      result.backup_file = await writeBackup(ctx, i.target, i.before, i.beforeMode);
    const d = contentDiff(req.dest, i.before, req.content, ctx.noLog);
    if (d.diff !== undefined) result.diff = d.diff;
    // Without an explicit mode an existing file keeps its own.
    const mode = req.mode ?? i.beforeMode;
    await attempt("write", req.dest, () => ctx.fs.writeFileAtomic(i.target, req.content, mode));
  } else if (i.modeChanged && req.mode !== undefined) {
    const mode = req.mode;
    await attempt("chmod", req.dest, () => ctx.fs.chmod(i.target, mode));
  }
  const after = await attempt("read", i.target, () => ctx.fs.stat(i.target));
  const bytes = i.writeContent || i.before === undefined ? req.content : i.before;
  return { ...result, checksum: sha256(bytes), size: bytes.length, mode: formatMode(after?.mode ?? 0) };
}
