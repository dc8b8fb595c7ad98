import { z } from "zod";
import { runProcess } from "./exec-result.js";
import { defineAction } from "./types.js";

const shellArgs = z.preprocess(
  (v) => (typeof v === "string" ? { cmd: v } : v),
  z
    .object({
      cmd: z.string().min(1).describe("The command line, run through /bin/sh -c"),
      executable: z.string().optional().describe("Shell to run it with instead of /bin/sh (e.g. /bin/bash)"),
      stdin: z.string().optional().describe("Text fed to the command's standard input"),
    })
    .strict(),
);

export const shellAction = defineAction({
  name: "shell",
  description: "Run a command line through a shell (pipes, redirections and variables work)",
  schema: shellArgs,
  async run(args, ctx) {
    return runProcess(ctx, { shell: args.cmd, executable: args.executable, stdin: args.stdin }, args.cmd);
  },
  async plan(args, ctx) {
    // no_log hides the whole command line: any word of it may carry the secret.
    const cmd = ctx.noLog ? "<command hidden: no_log>" : args.cmd;
    return { summary: `run: ${cmd}`, command: cmd };
  },
});
