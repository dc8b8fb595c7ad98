import { dirname } from "node:path";
import type { ActionContext, ActionResult, PlanInfo } from "../types.js";
import { ActionFailure } from "../types.js";
import { attempt } from "./fail.js";
import { applyWrite, planWrite } from "./write.js";

/** What an in-place edit (lineinfile, blockinfile) wants: the file's new text and Ansible's msg. */
export interface Edit {
  after: string;
  msg: string;
}

export interface EditRequest {
  path: string;
  create: boolean;
  backup: boolean;
  mode?: number | undefined;
  /** From the file's current text (undefined: it does not exist), the edit; `after` undefined leaves it alone. */
  edit(before: string | undefined): Edit;
}

/** The text at path (a symlink followed, as Ansible does), undefined when nothing is there. */
async function readText(ctx: ActionContext, path: string): Promise<string | undefined> {
  const real = (await attempt("read", path, () => ctx.fs.realpath(path))) ?? path;
  const st = await attempt("read", real, () => ctx.fs.stat(real));
  if (st === undefined) return undefined;
  if (st.type !== "file")
    throw new ActionFailure(`path ${path} exists and is not a regular file (${st.type})`, { path });
  return (await attempt("read", real, () => ctx.fs.readFile(real)))?.toString("utf8");
}

interface Resolved {
  before: string | undefined;
  edit: Edit;
}

async function resolve(ctx: ActionContext, req: EditRequest): Promise<Resolved> {
  const before = await readText(ctx, req.path);
  const edit = req.edit(before);
  // Like Ansible (rc 257): a missing file is an error unless create, or there is nothing to add.
  if (before === undefined && !req.create && edit.after !== "")
    throw new ActionFailure(`path ${req.path} does not exist (set create: true to make it)`, {
      path: req.path,
      changed: false,
    });
  return { before, edit };
}

function untouched(r: Resolved): boolean {
  return r.before === undefined ? r.edit.after === "" : r.before === r.edit.after;
}

/** The plan for an edit: the write's summary and diff, or "no change". */
export async function planEdit(ctx: ActionContext, req: EditRequest): Promise<PlanInfo> {
  const r = await resolve(ctx, req);
  if (untouched(r) && r.before === undefined)
    return { summary: `${req.path} (no change: file absent)`, willChange: false };
  const p = await planWrite(ctx, {
    dest: req.path,
    content: Buffer.from(r.edit.after, "utf8"),
    mode: req.mode,
    backup: req.backup,
    force: true,
  });
  return r.edit.msg && p.willChange ? { ...p, summary: `${p.summary}: ${r.edit.msg}` } : p;
}

/** Applies an edit atomically; `changed` only when the bytes (or the mode) differ. */
export async function applyEdit(ctx: ActionContext, req: EditRequest): Promise<ActionResult> {
  const r = await resolve(ctx, req);
  if (untouched(r) && r.before === undefined) return { changed: false, msg: r.edit.msg, path: req.path };
  // create: true makes the missing parent folders too, as Ansible does.
  if (r.before === undefined)
    await attempt("create directory", dirname(req.path), () => ctx.fs.mkdir(dirname(req.path)));
  const result = await applyWrite(ctx, {
    dest: req.path,
    content: Buffer.from(r.edit.after, "utf8"),
    mode: req.mode,
    backup: req.backup,
    force: true,
  });
  const { dest: _dest, ...rest } = result;
  return { ...rest, path: req.path, msg: untouched(r) ? "" : r.edit.msg };
}

/** The file's line ending: CRLF when its first line ends so, else LF (a new line keeps the file's style). */
export function lineEnding(text: string): string {
  const nl = text.indexOf("\n");
  return nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n";
}

/** Lines with their endings kept (Python's splitlines(True) on \n). */
export function splitKeep(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function chomp(line: string): string {
  return line.replace(/\r?\n$/, "");
}

/**
 * A playbook regexp as JS: Python's named groups `(?P<n>...)` and `(?P=n)` become JS's, so
 * patterns copied from Ansible work. Invalid patterns fail with the field's name.
 */
export function pyRegExp(field: string, pattern: string): RegExp {
  const js = pattern.replace(/\(\?P<(\w+)>/g, "(?<$1>").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  try {
    // No `u` flag: V8 runs a pattern with it on the backtracking engine only, so regexp-guard.ts could not rescue it.
    return new RegExp(js);
  } catch (e) {
    throw new ActionFailure(`${field} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Python's match.expand: \1, \g<1>, \g<name> (and \\ for a backslash) from a match's groups. */
export function expandBackrefs(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|(\\))/g, (_all, num: string, g: string, bs: string) => {
    if (bs) return "\\";
    const key = num ?? g;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? "";
  });
}
