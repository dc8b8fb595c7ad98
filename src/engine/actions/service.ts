import { z } from "zod";
import { type ActionContext, ActionFailure, defineAction } from "./types.js";
import { type HostCommand, hostRun } from "./util/host-cmd.js";
import { formatArgv } from "./util/shellwords.js";

const serviceSchema = z.strictObject({
  name: z.string().min(1).describe("The systemd unit (`k3s`, `k3s.service`)"),
  state: z
    .enum(["started", "stopped", "restarted", "reloaded"])
    .optional()
    .describe("started/stopped act only when needed; restarted and reloaded always act (and change)"),
  enabled: z.boolean().optional().describe("Start at boot (systemctl enable) or not (disable)"),
  daemon_reload: z.boolean().default(false).describe("systemctl daemon-reload first (unit files changed)"),
});
type ServiceArgs = z.infer<typeof serviceSchema>;

const NOT_FOUND = /could not be found|No such file or directory|not-found/i;

interface Status {
  active: boolean;
  activeText: string;
  enabled?: boolean | undefined;
  enabledText?: string | undefined;
}

/** `systemctl is-active` exits 0 for active, 3 for inactive/failed; `is-enabled` 0 for enabled/static, 1 otherwise. */
async function status(ctx: ActionContext, a: ServiceArgs, log?: HostCommand[]): Promise<Status> {
  const act = await hostRun(ctx, ["systemctl", "is-active", a.name], { log });
  if (act.rc === 4 || NOT_FOUND.test(act.stderr))
    throw new ActionFailure(`Could not find the requested service ${a.name}: ${act.stderr.trim()}`);
  const s: Status = { active: act.rc === 0, activeText: act.stdout.trim() };
  if (a.enabled !== undefined) {
    const en = await hostRun(ctx, ["systemctl", "is-enabled", a.name], { log });
    if (en.rc === 4 || NOT_FOUND.test(en.stderr))
      throw new ActionFailure(`Could not find the requested service ${a.name}: ${en.stderr.trim()}`);
    s.enabledText = en.stdout.trim();
    s.enabled = en.rc === 0;
  }
  return s;
}

/** The systemctl commands that bring the unit where asked, in Ansible's order: daemon-reload, enable, state. */
function steps(a: ServiceArgs, s: Status): string[][] {
  const out: string[][] = [];
  if (a.enabled === true && !s.enabled) out.push(["systemctl", "enable", a.name]);
  // `static` and `indirect` units report rc 0 but cannot be disabled: only an `enabled` one is.
  if (a.enabled === false && s.enabled && s.enabledText === "enabled") out.push(["systemctl", "disable", a.name]);
  if (a.state === "started" && !s.active) out.push(["systemctl", "start", a.name]);
  if (a.state === "stopped" && s.active) out.push(["systemctl", "stop", a.name]);
  if (a.state === "restarted") out.push(["systemctl", "restart", a.name]);
  // As Ansible: reloading a stopped unit starts it.
  if (a.state === "reloaded") out.push(["systemctl", s.active ? "reload" : "start", a.name]);
  return out;
}

export const serviceAction = defineAction({
  name: "service",
  aliases: ["systemd", "systemd_service"],
  description:
    "Start, stop, restart, reload and enable systemd units, reading systemctl is-active/is-enabled first (examples: docs/host-actions.md)",
  schema: serviceSchema.refine((a) => a.state !== undefined || a.enabled !== undefined || a.daemon_reload, {
    message: "service needs one of state, enabled or daemon_reload",
  }),
  async run(args, ctx) {
    const log: HostCommand[] = [];
    if (args.daemon_reload) {
      const r = await hostRun(ctx, ["systemctl", "daemon-reload"], { change: true, log });
      if (r.rc !== 0) throw new ActionFailure(`systemctl daemon-reload failed: ${r.stderr}`, { commands: log });
    }
    const s = await status(ctx, args, log);
    const todo = steps(args, s);
    for (const argv of todo) {
      const r = await hostRun(ctx, argv, { change: true, log });
      if (r.rc !== 0)
        throw new ActionFailure(`${formatArgv(argv)} failed (rc ${r.rc}): ${r.stderr.trim()}`, {
          rc: r.rc,
          commands: log,
        });
    }
    const after = args.state === "stopped" ? false : args.state !== undefined ? true : s.active;
    return {
      changed: todo.length > 0,
      name: args.name,
      state: after ? "started" : "stopped",
      ...(args.enabled !== undefined
        ? { enabled: todo.some((t) => t[1] === "enable") || (s.enabled && !todo.some((t) => t[1] === "disable")) }
        : {}),
      status: { ActiveState: s.activeText, UnitFileState: s.enabledText },
      commands: log,
    };
  },
  async plan(args, ctx) {
    let s: Status;
    try {
      s = await status(ctx, args);
    } catch (e) {
      // A unit the package step before it would install is not there yet in a plan.
      const what = [
        args.daemon_reload ? "daemon-reload" : "",
        args.enabled !== undefined ? (args.enabled ? "enable" : "disable") : "",
        args.state ?? "",
      ].filter(Boolean);
      return {
        summary: `${what.join(", ")} ${args.name} (${e instanceof ActionFailure ? "unit not found now" : "state unknown"})`,
        willChange: undefined,
      };
    }
    const todo = steps(args, s);
    const pre = args.daemon_reload ? [["systemctl", "daemon-reload"]] : [];
    const all = [...pre, ...todo];
    if (!todo.length)
      return {
        summary: `${args.name} already ${s.activeText}${s.enabledText ? `, ${s.enabledText}` : ""}`,
        willChange: false,
        ...(pre.length ? { command: formatArgv(pre[0]!) } : {}),
      };
    return {
      summary: todo.map((t) => `${t[1]} ${args.name}`).join(", "),
      command: all.map(formatArgv).join(" && "),
      details: [`now: ${s.activeText}${s.enabledText ? `, ${s.enabledText}` : ""}`],
      willChange: true,
    };
  },
});
