import type { ExecRequest } from "../io/exec.js";
import type { ActionContext, ActionResult } from "./types.js";

function lines(s: string): string[] {
  return s === "" ? [] : s.split(/\r?\n/);
}

/** Run a process for shell/command with the step's cwd, environment, become and signal. */
export async function runProcess(ctx: ActionContext, req: ExecRequest, cmd: string): Promise<ActionResult> {
  const r = await ctx.exec.run({
    ...req,
    cwd: ctx.cwd ?? req.cwd,
    env: ctx.env,
    become: ctx.become,
    becomeUser: ctx.becomeUser,
    signal: ctx.signal,
    onOutput: (stream, chunk) => ctx.output(stream, chunk),
  });
  const failed = r.rc !== 0;
  return {
    changed: true,
    failed,
    rc: r.rc,
    cmd,
    stdout: r.stdout,
    stderr: r.stderr,
    stdout_lines: lines(r.stdout),
    stderr_lines: lines(r.stderr),
    msg: failed ? (r.interrupted ? "interrupted" : `non-zero return code ${r.rc}`) : "",
    ...(r.interrupted ? { interrupted: true } : {}),
  };
}
