import type { ExecRequest } from "../io/exec.js";
import type { ActionContext, ActionResult } from "./types.js";

// As Ansible's command module does (`stdout.rstrip("\r\n")`): every trailing line break goes, so
// `printf 'a\n\n'` registers "a" and `r.stdout == "a"` holds.
function trimEnd(s: string): string {
  return s.replace(/[\r\n]+$/, "");
}

function lines(s: string): string[] {
  return s === "" ? [] : s.split(/\r?\n/);
}

/** Run a process for shell/command with the step's cwd, environment, become and signal. */
export async function runProcess(ctx: ActionContext, req: ExecRequest, cmd: string): Promise<ActionResult> {
  const r = await ctx.exec.run({
    ...req,
    // As Ansible: commands run in the playbook's folder unless `cwd` says otherwise (on a remote host, its default).
    cwd: ctx.cwd ?? req.cwd ?? (ctx.local ? ctx.playbookDir : undefined),
    env: ctx.env,
    become: ctx.become,
    becomeUser: ctx.becomeUser,
    signal: ctx.signal,
    onOutput: (stream, chunk) => ctx.output(stream, chunk),
  });
  const failed = r.rc !== 0;
  const stdout = trimEnd(r.stdout);
  const stderr = trimEnd(r.stderr);
  return {
    changed: true,
    failed,
    rc: r.rc,
    cmd,
    stdout,
    stderr,
    stdout_lines: lines(stdout),
    stderr_lines: lines(stderr),
    msg: failed ? (r.interrupted ? "interrupted" : `non-zero return code ${r.rc}`) : "",
    ...(r.interrupted ? { interrupted: true } : {}),
  };
}
