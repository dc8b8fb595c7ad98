import { setTimeout as sleep } from "node:timers/promises";
import type { ExecResult } from "../../io/exec.js";
import type { ActionContext } from "../types.js";
import { formatArgv } from "./shellwords.js";

/** One command a host action ran, as registered in its result (`commands`). */
export interface HostCommand {
  cmd: string;
  rc: number;
}

/**
 * Run a host tool for package/service/reboot on the step's target. Reads (`dpkg-query`, `systemctl
 * is-active`) run as the login user, so they also work in a plan without sudo; changes run with the
 * step's become (sudo -n on the target).
 */
export async function hostRun(
  ctx: ActionContext,
  argv: string[],
  opts: { change?: boolean; env?: Record<string, string>; log?: HostCommand[]; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const become = opts.change === true && ctx.become;
  const r = await ctx.exec.run({
    argv,
    cwd: ctx.cwd,
    env: { ...ctx.env, ...opts.env },
    become,
    becomeUser: become ? ctx.becomeUser : undefined,
    signal: ctx.signal,
    timeoutMs: opts.timeoutMs,
    onOutput: opts.change ? (s, c) => ctx.output(s, c) : undefined,
  });
  opts.log?.push({ cmd: formatArgv(r.argv), rc: r.rc });
  return r;
}

/** Sleep that ends early (with an AbortError) when the step is interrupted or times out. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal });
}

/** The names in `name` (a string, a comma list as Ansible accepts, or a list). */
export function nameList(name: string | string[]): string[] {
  return (Array.isArray(name) ? name : name.split(",")).map((n) => n.trim()).filter((n) => n !== "");
}
