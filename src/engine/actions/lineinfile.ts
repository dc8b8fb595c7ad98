import { z } from "zod";
import { defineAction } from "./types.js";
import { applyEdit, chomp, type Edit, expandBackrefs, lineEnding, planEdit, pyRegExp, splitKeep } from "./util/edit.js";
import { modeSchema } from "./util/mode.js";

const lineinfileSchema = z
  .strictObject({
    path: z.string().min(1).optional().describe("the file to edit on the target (a symlink is followed)"),
    dest: z.string().min(1).optional().describe("alias of path"),
    line: z.string().optional().describe("the line to ensure; with backrefs, \\1 or \\g<name> name regexp groups"),
    regexp: z
      .string()
      .min(1)
      .optional()
      .describe("the line to replace (present) or remove (absent): the last match, or the first with firstmatch"),
    search_string: z.string().min(1).optional().describe("like regexp, a literal substring"),
    state: z.enum(["present", "absent"]).default("present"),
    insertafter: z.string().min(1).optional().describe("EOF (default), or a regexp: add after its last match"),
    insertbefore: z.string().min(1).optional().describe("BOF, or a regexp: add before its last match"),
    backrefs: z.boolean().default(false).describe("line expands regexp's groups; no match leaves the file unchanged"),
    firstmatch: z
      .boolean()
      .default(false)
      .describe("regexp and insertafter/insertbefore use the first match, not the last"),
    create: z.boolean().default(false).describe("create the file (and its folders) when missing"),
    backup: z.boolean().default(false).describe("keep the old content as path.<timestamp>~ when it changes"),
    mode: modeSchema.optional().describe('permission bits, e.g. "0644"; an existing file keeps its mode when omitted'),
  })
  .refine((a) => (a.path ?? a.dest) !== undefined, { message: "lineinfile needs path" })
  .refine((a) => a.path === undefined || a.dest === undefined, {
    message: "lineinfile takes path or its alias dest, not both",
  })
  .refine((a) => a.state === "absent" || a.line !== undefined, { message: "lineinfile with state present needs line" })
  .refine(
    (a) => a.state === "absent" || a.line !== undefined || a.regexp !== undefined || a.search_string !== undefined,
    {
      message: "lineinfile with state absent needs line, regexp or search_string",
    },
  )
  .refine((a) => a.regexp === undefined || a.search_string === undefined, {
    message: "lineinfile takes regexp or search_string, not both",
  })
  .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, {
    message: "lineinfile takes insertafter or insertbefore, not both",
  })
  .refine((a) => !a.backrefs || a.regexp !== undefined, { message: "backrefs: true needs regexp" })
  .describe("Ensure a line is in a file (replacing the line a regexp matches), or remove matching lines");

export type LineinfileArgs = z.output<typeof lineinfileSchema>;

type Matcher = (line: string) => RegExpExecArray | boolean | null;

function matcher(a: LineinfileArgs): Matcher | undefined {
  if (a.regexp !== undefined) {
    const re = pyRegExp("regexp", a.regexp);
    return (l) => re.exec(l);
  }
  const s = a.search_string;
  return s === undefined ? undefined : (l) => l.includes(s);
}

function insertRe(a: LineinfileArgs): RegExp | undefined {
  const p = a.insertafter ?? a.insertbefore;
  return p === undefined || p === "EOF" || p === "BOF"
    ? undefined
    : pyRegExp(a.insertafter ? "insertafter" : "insertbefore", p);
}

function absent(a: LineinfileArgs, lines: string[]): Edit {
  const match = matcher(a) ?? ((l: string) => l === a.line);
  const kept = lines.filter((l) => !match(chomp(l)));
  const n = lines.length - kept.length;
  return { after: kept.join(""), msg: n > 0 ? `${n} line(s) removed` : "" };
}

// Ansible's lineinfile, line for line: the matched line is replaced, else the line is added (unless already there).
function present(a: LineinfileArgs, text: string): Edit {
  const lines = splitKeep(text);
  const eol = lineEnding(text);
  const line = a.line ?? "";
  const match = matcher(a);
  const ins = insertRe(a);
  let found = -1;
  let groups: RegExpExecArray | undefined;
  if (match) {
    for (let i = 0; i < lines.length; i++) {
      const m = match(chomp(lines[i] ?? ""));
      if (!m) continue;
      found = i;
      if (typeof m === "object") groups = m;
      if (a.firstmatch) break;
    }
  }
  let at = -1;
  if (found === -1) {
    for (let i = 0; i < lines.length; i++) {
      const l = chomp(lines[i] ?? "");
      if (l === line && !a.backrefs) found = i;
      else if (ins?.test(l) && (at === -1 || !a.firstmatch)) at = a.insertafter !== undefined ? i + 1 : i;
    }
    // The exact line already present: nothing to do (matching neither regexp nor search_string).
    if (found !== -1) return { after: text, msg: "" };
  }
  if (found !== -1) {
    const wanted = (a.backrefs && groups ? expandBackrefs(line, groups) : line) + eol;
    if (lines[found] === wanted) return { after: text, msg: "" };
    lines[found] = wanted;
    return { after: lines.join(""), msg: "line replaced" };
  }
  // backrefs without a match: never guess the line.
  if (a.backrefs) return { after: text, msg: "" };
  const last = lines.length - 1;
  // The last line without its newline gets one before a line goes after it.
  const close = () => {
    if (last >= 0 && !(lines[last] ?? "").endsWith("\n")) lines[last] += eol;
  };
  if (a.insertbefore === "BOF" || a.insertafter === "BOF") lines.unshift(line + eol);
  else if (a.insertafter === "EOF" || at === -1 || at > last) {
    close();
    lines.push(line + eol);
  } else {
    if (at > 0 && !(lines[at - 1] ?? "").endsWith("\n")) lines[at - 1] += eol;
    lines.splice(at, 0, line + eol);
  }
  return { after: lines.join(""), msg: "line added" };
}

export const lineinfileAction = defineAction<LineinfileArgs>({
  name: "lineinfile",
  description: "Ensure a line is in a file, or replace the line a regexp matches, atomically; Ansible's lineinfile",
  schema: lineinfileSchema,
  async plan(args, ctx) {
    return planEdit(ctx, request(args));
  },
  async run(args, ctx) {
    return applyEdit(ctx, request(args));
  },
});

function request(a: LineinfileArgs) {
  return {
    path: a.path ?? a.dest ?? "",
    create: a.create,
    backup: a.backup,
    mode: a.mode,
    edit: (before: string | undefined): Edit =>
      a.state === "absent" ? absent(a, splitKeep(before ?? "")) : present(a, before ?? ""),
  };
}
