import { z } from "zod";
import { runProcess } from "./exec-result.js";
import { defineAction } from "./types.js";
import { formatArgv, splitCommand } from "./util/shellwords.js";

const commandArgs = z.preprocess(
  (v) => (typeof v === "string" || Array.isArray(v) ? { argv: v } : v),
  z
    .object({
      argv: z
        .union([z.string().min(1), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)])
        .describe("The program and its arguments: a list, or a string split like a shell would (no shell features)"),
      stdin: z.string().optional().describe("Text fed to the command's standard input"),
    })
    .strict()
    .transform((a, ctx) => {
      try {
        return { argv: typeof a.argv === "string" ? splitCommand(a.argv) : a.argv.map(String), stdin: a.stdin };
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message, path: ["argv"] });
        return z.NEVER;
      }
    }),
);

export const commandAction = defineAction({
  name: "command",
  description: "Run a program directly, without a shell",
  schema: commandArgs,
  async run(args, ctx) {
    return runProcess(ctx, { argv: args.argv, stdin: args.stdin }, formatArgv(args.argv));
  },
  async plan(args, ctx) {
    // no_log hides the arguments, in a plan too: the program is shown, what it is given is not.
    const cmd = ctx.noLog ? `${formatArgv(args.argv.slice(0, 1))} <arguments hidden: no_log>` : formatArgv(args.argv);
    return { summary: `run: ${cmd}`, command: cmd };
  },
});
