import { RunbookError } from "../engine/errors.js";
import { Fleet, type FleetSummary } from "../engine/fleet/fleet.js";
import { loadInventory } from "../engine/inventory/inventory.js";
import { SshTransport } from "../engine/io/ssh/transport.js";
import type { Playbook } from "../engine/load/model.js";
import { FleetPlainReporter } from "../engine/report/fleet.js";
import { chooseOutputMode, createReporter, type Reporter, SecretMasker } from "../engine/report/index.js";
import { chooseColor } from "../engine/report/mode.js";
import type { RunOptions } from "../engine/run/types.js";

export interface FleetCliOptions {
  inventory?: string[];
  limit?: string;
  forks?: string;
}

/** Does this run go through the fleet (an inventory, or a playbook that names hosts)? */
export function isFleetRun(pb: Playbook, opts: FleetCliOptions): boolean {
  return (opts.inventory?.length ?? 0) > 0 || pb.plays !== undefined || pb.hosts !== undefined;
}

export function forksOf(text: string | undefined): number {
  if (text === undefined) return 5;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new RunbookError("usage", `--forks must be a whole number >= 1, got \`${text}\``);
  return n;
}

/** The fleet for a playbook: the inventory given with -i, or Ansible's implicit `localhost` without one. */
export function openFleet(pb: Playbook, opts: FleetCliOptions, runOpts: RunOptions): Fleet {
  const sources = opts.inventory?.length ? opts.inventory : ["localhost,"];
  const fleet = new Fleet(pb, {
    ...runOpts,
    inventory: loadInventory(sources),
    transport: new SshTransport(),
    limit: opts.limit,
    forks: forksOf(opts.forks),
  });
  if (fleet.hostNames().length === 0) {
    throw new RunbookError("usage", "no hosts matched: nothing to run", {
      hint: opts.limit
        ? `--limit ${opts.limit} leaves none of the plays' hosts`
        : "check the plays' `hosts:` against the inventory",
    });
  }
  return fleet;
}

/** Exit status of a fleet run: 130 interrupted, 1 a step failed, 4 a host was unreachable, 0 ok. */
export function fleetExitCode(s: FleetSummary): number {
  return s.status === "interrupted" ? 130 : s.status === "failed" ? 1 : s.status === "unreachable" ? 4 : 0;
}

/**
 * The end of a fleet run: a row per host over all its plays (`pi1  done  ok=3 changed=1 ...`), then
 * the hosts by how they ended.
 */
export function fleetSummaryLines(s: FleetSummary): string[] {
  const width = Math.max(0, ...s.hosts.map((h) => h.host.length));
  const verdict = (st: string) => (st === "ok" ? "done" : st);
  const rows = s.hosts.map((h) => {
    const counts = (Object.keys(h.stats) as (keyof typeof h.stats)[]).map((k) => `${k}=${h.stats[k]}`).join(" ");
    return `recap   ${h.host.padEnd(width)}  ${verdict(h.status).padEnd(11)} ${counts}`;
  });
  const count = (st: string) => s.hosts.filter((h) => h.status === st).length;
  const parts = ["ok", "failed", "unreachable", "interrupted"].map((st) => `${st}=${count(st)}`);
  return [...rows, `hosts   ${s.hosts.length} ${parts.join(" ")}`];
}

/** `runbook apply -i`: check on every host, then run; one prefixed plain line per event (or JSON lines). */
export async function fleetApply(
  pb: Playbook,
  opts: FleetCliOptions & { output?: "tty" | "plain" | "json"; verbose?: boolean; showSecrets?: boolean },
  runOpts: RunOptions,
): Promise<number> {
  const fleet = openFleet(pb, opts, runOpts);
  try {
    await fleet.check();
    const isTTY = process.stdout.isTTY === true;
    const masker = new SecretMasker({ ...pb.vars, ...pb.varsFiles, ...runOpts.extraVars });
    const mode = chooseOutputMode({ flag: opts.output, isTTY, env: process.env });
    const ropts = {
      mode,
      stream: process.stdout,
      verbose: opts.verbose === true,
      color: chooseColor({ isTTY, env: process.env }),
      showSecrets: opts.showSecrets === true,
      masker,
    };
    // The tty tree is for one host; many hosts read best as prefixed lines (grouped rows are open work).
    const plain = mode === "json" ? undefined : new FleetPlainReporter({ ...ropts, mode: "plain" }, fleet.hostNames());
    const reporter: Reporter = plain ?? createReporter(ropts);
    let summary: FleetSummary;
    try {
      fleet.onEvent = (e) => reporter.onEvent(e);
      summary = await fleet.run();
    } finally {
      await reporter.close();
    }
    if (plain) plain.summary(fleetSummaryLines(summary).join("\n"));
    return fleetExitCode(summary);
  } finally {
    await fleet.close();
  }
}
