import { z } from "zod";
import { defineAction } from "./types.js";

const printArgs = z.preprocess(
  (v) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? { msg: String(v) } : v),
  z
    .object({
      msg: z.unknown().optional().describe("The message; templated"),
      var: z.string().optional().describe("Print this variable's value (a name or dotted path)"),
    })
    .strict()
    .refine((a) => a.msg !== undefined || a.var !== undefined, "give `msg` or `var`"),
);

function lookup(vars: Record<string, unknown>, path: string): unknown {
  let cur: unknown = vars;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in cur)) return `<undefined: ${path}>`;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

export const printAction = defineAction({
  name: "print",
  handlesUnknown: true,
  aliases: ["debug"],
  description: "Print a message or a variable; never changes anything",
  schema: printArgs,
  scalarField: "msg",
  readOnly: true,
  async run(args, ctx) {
    const msg = args.var !== undefined ? `${args.var} = ${show(lookup(ctx.vars, args.var))}` : show(args.msg);
    return { changed: false, msg };
  },
  async plan(args) {
    return { summary: `print: ${args.var ?? show(args.msg)}`, willChange: false };
  },
});
