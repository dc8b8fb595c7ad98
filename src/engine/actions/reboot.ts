import { z } from "zod";
import type { ExecResult } from "../io/exec.js";
import { type ActionContext, ActionFailure, defineAction } from "./types.js";
import { pause } from "./util/host-cmd.js";

const seconds = z.number().min(0);
const rebootSchema = z.strictObject({
  reboot_timeout: seconds
    .default(600)
    .describe("Seconds to wait in all for the host to come back and pass test_command"),
  connect_timeout: seconds
    .default(10)
    .describe("Seconds one connection attempt may take before it is abandoned and retried"),
  pre_reboot_delay: seconds.default(0).describe("Seconds to wait before sending reboot_command"),
  post_reboot_delay: seconds.default(0).describe("Seconds to wait after sending it before the first check"),
  test_command: z.string().min(1).default("whoami").describe("Must succeed on the host before it counts as back"),
  boot_time_command: z
    .string()
    .min(1)
    .default("cat /proc/sys/kernel/random/boot_id")
    .describe("Prints something that differs after a reboot (the boot id)"),
  reboot_command: z.string().min(1).default("reboot").describe("What reboots the host (run with the step's become)"),
  msg: z.string().default("Reboot initiated by runbook").describe("Shown while waiting and returned in the result"),
  allow_local: z.boolean().default(false).describe("Allow rebooting the machine runbook runs on (refused otherwise)"),
});
type RebootArgs = z.infer<typeof rebootSchema>;

const ABORTED = Symbol("aborted");
const TIMED_OUT = Symbol("timed out");

/**
 * One command on the host, abandoned after `ms` (a connection to a host that is going down or not
 * up yet can hang) or at once when the step is interrupted. Errors (unreachable) are returned, not thrown.
 */
async function attempt(ctx: ActionContext, shell: string, ms: number, become = false) {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const run = ctx.exec
    .run({ shell, env: ctx.env, become, becomeUser: become ? ctx.becomeUser : undefined, signal: ac.signal })
    .catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  const stop = new Promise<typeof ABORTED | typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    if (ctx.signal.aborted) resolve(ABORTED);
    ctx.signal.addEventListener("abort", () => resolve(ABORTED), { once: true });
  });
  try {
    const r: ExecResult | Error | symbol = await Promise.race([run, stop]);
    if (r === ABORTED) throw new ActionFailure("interrupted while waiting for the host to reboot", { rebooted: false });
    if (typeof r === "symbol") ac.abort();
    return r;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
  }
}

/** Poll until `ok` holds, with backoff (0.5 s doubling to 5 s), before the deadline. */
async function waitUntil(
  ctx: ActionContext,
  a: RebootArgs,
  deadline: number,
  cmd: string,
  ok: (r: ExecResult) => boolean,
): Promise<boolean> {
  let delay = 500;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const r = await attempt(ctx, cmd, Math.min(a.connect_timeout * 1000, left));
    if (typeof r === "object" && !(r instanceof Error) && ok(r)) return true;
    // A failed or hung attempt may have left a half-dead master connection behind: start the next one afresh.
    if (typeof r === "symbol" || r instanceof Error || r.rc === 255) await ctx.reconnect?.();
    try {
      await pause(Math.min(delay, Math.max(0, deadline - Date.now())), ctx.signal);
    } catch {
      throw new ActionFailure("interrupted while waiting for the host to reboot", { rebooted: false });
    }
    delay = Math.min(delay * 2, 5000);
  }
}

export const rebootAction = defineAction({
  name: "reboot",
  description:
    "Reboot the host and wait until it answers over SSH again with a new boot id; refused locally unless allow_local (examples: docs/host-actions.md)",
  schema: rebootSchema,
  async run(args, ctx) {
    if (ctx.local !== false && !args.allow_local)
      throw new ActionFailure(
        "reboot: refusing to reboot the machine runbook runs on (set allow_local: true to allow it)",
      );
    const start = Date.now();
    const deadline = start + (args.pre_reboot_delay + args.reboot_timeout) * 1000;
    const ms = args.connect_timeout * 1000;
    const before = await attempt(ctx, args.boot_time_command, ms);
    if (typeof before === "symbol" || before instanceof Error || before.rc !== 0)
      throw new ActionFailure(`reboot: cannot read the boot id with \`${args.boot_time_command}\` before rebooting`, {
        rebooted: false,
        ...(typeof before === "object" && !(before instanceof Error) ? { stderr: before.stderr } : {}),
      });
    const bootId = before.stdout.trim();
    if (args.pre_reboot_delay) await pause(args.pre_reboot_delay * 1000, ctx.signal);
    ctx.progress(`${args.msg}: ${args.reboot_command}`);
    const sent = await attempt(ctx, args.reboot_command, ms, ctx.become);
    // A dropped connection (an error, rc 255, no answer) is the reboot under way; another rc is a refusal.
    if (typeof sent === "object" && !(sent instanceof Error) && sent.rc !== 0 && sent.rc !== 255)
      throw new ActionFailure(`reboot: \`${args.reboot_command}\` failed (rc ${sent.rc}): ${sent.stderr.trim()}`, {
        rebooted: false,
        rc: sent.rc,
      });
    await ctx.reconnect?.();
    if (args.post_reboot_delay) await pause(args.post_reboot_delay * 1000, ctx.signal);
    ctx.progress(`waiting for a new boot id (up to ${args.reboot_timeout}s)`);
    const back = await waitUntil(ctx, args, deadline, args.boot_time_command, (r) => {
      const id = r.stdout.trim();
      return r.rc === 0 && id !== "" && id !== bootId;
    });
    const elapsed = Math.round((Date.now() - start) / 1000);
    if (!back)
      throw new ActionFailure(
        `reboot: timed out after ${args.reboot_timeout}s waiting for the host to come back with a new boot id`,
        {
          rebooted: false,
          elapsed,
        },
      );
    if (!(await waitUntil(ctx, args, deadline, args.test_command, (r) => r.rc === 0)))
      throw new ActionFailure(
        `reboot: the host came back but \`${args.test_command}\` did not succeed within ${args.reboot_timeout}s`,
        {
          rebooted: true,
          elapsed: Math.round((Date.now() - start) / 1000),
        },
      );
    return { changed: true, rebooted: true, elapsed: Math.round((Date.now() - start) / 1000), msg: args.msg };
  },
  async plan(args, ctx) {
    if (ctx.local !== false && !args.allow_local)
      return { summary: "reboot: would refuse on the local machine (allow_local is not set)", willChange: false };
    return {
      summary: `reboot, then wait up to ${args.reboot_timeout}s for a new boot id and \`${args.test_command}\``,
      command: args.reboot_command,
      willChange: true,
    };
  },
});
