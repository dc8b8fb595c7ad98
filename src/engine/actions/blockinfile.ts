import { z } from "zod";
import { defineAction } from "./types.js";
import { applyEdit, chomp, type Edit, lineEnding, planEdit, pyRegExp, splitKeep } from "./util/edit.js";
import { modeSchema } from "./util/mode.js";

const blockinfileSchema = z
  .strictObject({
    path: z.string().min(1).optional().describe("the file to edit on the target (a symlink is followed)"),
    dest: z.string().min(1).optional().describe("alias of path"),
    block: z.string().optional().describe("the lines between the markers; empty removes the block"),
    content: z.string().optional().describe("alias of block"),
    marker: z
      .string()
      .default("# {mark} ANSIBLE MANAGED BLOCK")
      .describe(
        "marker line template; {mark} becomes marker_begin or marker_end (Ansible's default, so blocks Ansible wrote are found)",
      ),
    marker_begin: z.string().default("BEGIN"),
    marker_end: z.string().default("END"),
    state: z.enum(["present", "absent"]).default("present"),
    insertafter: z
      .string()
      .min(1)
      .optional()
      .describe("EOF (default), or a regexp: a new block goes after its last match"),
    insertbefore: z.string().min(1).optional().describe("BOF, or a regexp: a new block goes before its last match"),
    create: z.boolean().default(false).describe("create the file (and its folders) when missing"),
    backup: z.boolean().default(false).describe("keep the old content as path.<timestamp>~ when it changes"),
    mode: modeSchema.optional().describe('permission bits, e.g. "0644"; an existing file keeps its mode when omitted'),
  })
  .refine((a) => (a.path ?? a.dest) !== undefined, { message: "blockinfile needs path" })
  .refine((a) => a.path === undefined || a.dest === undefined, {
    message: "blockinfile takes path or its alias dest, not both",
  })
  .refine((a) => a.block === undefined || a.content === undefined, {
    message: "blockinfile takes block or its alias content, not both",
  })
  .refine((a) => a.insertafter === undefined || a.insertbefore === undefined, {
    message: "blockinfile takes insertafter or insertbefore, not both",
  })
  .describe("Ensure a block of lines between two marker lines is in a file, or remove it");

export type BlockinfileArgs = z.output<typeof blockinfileSchema>;

// Ansible's blockinfile: an existing marked block is replaced in place, else inserted where asked.
function edit(a: BlockinfileArgs, before: string | undefined): Edit {
  const text = before ?? "";
  const eol = lineEnding(text);
  const lines = splitKeep(text);
  const begin = a.marker.replaceAll("{mark}", a.marker_begin);
  const end = a.marker.replaceAll("{mark}", a.marker_end);
  const body = a.block ?? a.content ?? "";
  const present = a.state === "present" && body !== "";
  const blockLines = present ? [begin, ...body.replace(/\r?\n$/, "").split(/\r?\n/), end].map((l) => l + eol) : [];
  let n0 = -1;
  let n1 = -1;
  lines.forEach((l, i) => {
    if (chomp(l) === begin) n0 = i;
    if (chomp(l) === end) n1 = i;
  });
  let at: number;
  if (n0 === -1 || n1 === -1) {
    const where = a.insertafter ?? a.insertbefore;
    if (where === undefined || where === "EOF") at = lines.length;
    else if (where === "BOF") at = 0;
    else {
      const re = pyRegExp(a.insertafter ? "insertafter" : "insertbefore", where);
      at = -1;
      lines.forEach((l, i) => {
        if (re.test(chomp(l))) at = i;
      });
      if (at === -1) at = lines.length;
      else if (a.insertafter) at += 1;
    }
  } else {
    at = Math.min(n0, n1);
    lines.splice(at, Math.abs(n1 - n0) + 1);
  }
  if (blockLines.length > 0 && at > 0 && !(lines[at - 1] ?? "").endsWith("\n")) lines[at - 1] += eol;
  lines.splice(at, 0, ...blockLines);
  const after = lines.join("");
  const msg =
    after === text ? "" : before === undefined ? "File created" : present ? "Block inserted" : "Block removed";
  return { after, msg };
}

function request(a: BlockinfileArgs) {
  return {
    path: a.path ?? a.dest ?? "",
    create: a.create,
    backup: a.backup,
    mode: a.mode,
    edit: (before: string | undefined) => edit(a, before),
  };
}

export const blockinfileAction = defineAction<BlockinfileArgs>({
  name: "blockinfile",
  description:
    "Ensure a block of lines between marker lines is in a file (replaced in place), atomically; Ansible's blockinfile",
  schema: blockinfileSchema,
  async plan(args, ctx) {
    return planEdit(ctx, request(args));
  },
  async run(args, ctx) {
    return applyEdit(ctx, request(args));
  },
});
