import { VERSION } from "../../version.js";
import { RunbookError, RunbookErrors } from "../errors.js";
import { emptyStats, type Stats } from "../events.js";
import { connectionOf } from "../inventory/connection.js";
import type { Inventory } from "../inventory/inventory.js";
import { selectHosts } from "../inventory/pattern.js";
import { isUnreachable } from "../io/ssh/errors.js";
import { connectSshTarget, sshHostOf } from "../io/ssh/target.js";
import type { SshHost, SshTransport } from "../io/ssh/transport.js";
import type { Playbook, Step } from "../load/model.js";
import type { Result } from "../run/result.js";
import { Runner, type RunSummary } from "../run/runner.js";
import type { Settings } from "../run/settings.js";
import { checkTagNames } from "../run/tags.js";
import type { RunMode, RunOptions } from "../run/types.js";
import { localTarget, type Target } from "../target.js";
import { batches } from "./batches.js";
import { pool } from "./pool.js";
import { magicVars } from "./vars.js";

export type HostStatus = RunSummary["status"];

/** How one host's run went, over every play it was in. */
export interface HostSummary {
  host: string;
  status: HostStatus;
  stats: Stats;
  error?: string | undefined;
}

export interface FleetSummary {
  /** unreachable when any host was (and none failed): exit 4. */
  status: HostStatus;
  hosts: HostSummary[];
  durationMs: number;
}

export interface FleetOptions extends Omit<RunOptions, "target" | "host" | "inventoryVars" | "magicVars" | "runtime"> {
  inventory: Inventory;
  transport: SshTransport;
  limit?: string | undefined;
  /** Hosts run in parallel, at most this many at a time (Ansible's --forks; default 5). */
  forks?: number | undefined;
}

/**
 * One playbook on the hosts of an inventory: each play on the hosts its `hosts:` pattern selects
 * (narrowed by --limit), up to `forks` hosts at a time, each host through its own Runner with its
 * own target, facts and variables. A host that fails or cannot be reached leaves the later plays;
 * the others go on.
 */
export class Fleet {
  private readonly targets = new Map<string, Promise<Target>>();
  private readonly sshHosts = new Map<string, SshHost>();
  private readonly runtimes = new Map<string, Record<string, unknown>>();
  private readonly results = new Map<string, HostSummary>();
  private readonly once = new Map<Step, Map<number, Promise<{ result: Result; host: string }>>>();
  /** Where events go: set after the check pass, so that checking prints nothing. */
  onEvent: RunOptions["onEvent"];

  constructor(
    readonly playbook: Playbook,
    readonly options: FleetOptions,
  ) {
    this.onEvent = options.onEvent;
  }

  /** The plays of the playbook: a list of plays, or the document itself. */
  get plays(): Playbook[] {
    return this.playbook.plays ?? [this.playbook];
  }

  /** Every host some play will run on, in inventory order (for reporters to size their columns). */
  hostNames(): string[] {
    const names = new Set<string>();
    for (const p of this.plays) for (const h of this.select(p)) names.add(h);
    return [...this.options.inventory.hosts.keys()].filter((h) => names.has(h));
  }

  private select(play: Playbook): string[] {
    if (play.hosts === undefined) {
      throw new RunbookError("usage", `play \`${play.name}\` has no \`hosts:\` to run on with an inventory`, {
        hint: "add `hosts: all` (or a group) to the play, or run it without -i to run here",
      });
    }
    return selectHosts(this.options.inventory, play.hosts, this.options.limit);
  }

  /** The static check on every host (nothing runs on them; facts are gathered); all problems together. */
  async check(): Promise<void> {
    // Against every play's tags at once (each host's runner sees one play).
    checkTagNames(this.playbook, this.options.tags ?? [], this.options.skipTags ?? []);
    const errors: RunbookError[] = [];
    const seen = new Set<string>();
    await this.walk("check", (e) => {
      for (const err of e instanceof RunbookErrors ? e.errors : [e]) {
        // The same mistake on every host is one problem.
        const key = `${err.code}\u0000${err.message}\u0000${JSON.stringify(err.location ?? null)}`;
        if (!seen.has(key)) errors.push(err);
        seen.add(key);
      }
    });
    this.results.clear();
    this.runtimes.clear();
    if (errors.length) throw new RunbookErrors(errors);
  }

  async run(mode: RunMode = this.options.mode ?? "run"): Promise<FleetSummary> {
    const t0 = performance.now();
    await this.walk(mode, (e) => {
      throw e;
    });
    const hosts = [...this.options.inventory.hosts.keys()].flatMap((h) => this.results.get(h) ?? []);
    return { status: overall(hosts), hosts, durationMs: Math.round(performance.now() - t0) };
  }

  private async walk(mode: RunMode, onError: (e: RunbookError | RunbookErrors) => void): Promise<void> {
    const o = this.options;
    const signal = o.signal;
    for (const play of this.plays) {
      // In check mode every host is checked at once: batches only order changes.
      for (const batch of batches(this.select(play), mode === "check" ? undefined : play.serial)) {
        // A host that failed or could not be reached sits out the rest of the run, as in Ansible.
        // run_once runs once per batch, as in Ansible.
        this.once.clear();
        const hosts = batch.filter((h) => {
          const s = this.results.get(h)?.status;
          return s === undefined || s === "ok";
        });
        await pool(
          hosts,
          o.forks ?? 5,
          async (host) => {
            try {
              await this.runHost(play, host, mode);
            } catch (e) {
              if (e instanceof RunbookError || e instanceof RunbookErrors) onError(e);
              else throw e;
            }
          },
          () => signal?.aborted === true,
        );
        if (signal?.aborted) return;
        // A batch in which every host failed stops the play (Ansible: the rest would fail the same way).
        if (mode !== "check" && hosts.length && hosts.every((h) => this.results.get(h)?.status === "failed")) return;
      }
    }
  }

  private async runHost(play: Playbook, host: string, mode: RunMode): Promise<void> {
    const o = this.options;
    const inv = o.inventory.hosts.get(host);
    if (!inv) return;
    let target: Target;
    try {
      target = await this.target(play, host);
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      this.record(host, { status: "unreachable", stats: emptyStats(), durationMs: 0, error: undefined }, e.message);
      // A host that never ran still gets its start and recap row.
      const emit = mode === "check" ? undefined : this.onEvent;
      emit?.({
        kind: "run-start",
        playbook: play.name,
        file: play.file,
        dryRun: mode !== "run",
        version: VERSION,
        host,
      });
      emit?.({ kind: "run-end", status: "unreachable", stats: emptyStats(), durationMs: 0, error: e.message, host });
      return;
    }
    const runtime = this.runtimes.get(host) ?? {};
    this.runtimes.set(host, runtime);
    const runner = new Runner(play, {
      ...o,
      // checked once, against every play, by the check pass (checkPlaybook)
      tagNamesChecked: true,
      // Each host's own facts, gathered over its connection (--fact overrides apply to local runs only).
      facts: undefined,
      mode,
      onEvent: mode === "check" ? undefined : this.onEvent,
      target,
      host,
      inventoryVars: inv.vars,
      magicVars: magicVars(o.inventory, host, (h) => this.runtimes.get(h) ?? {}),
      runtime,
      hostSettings: hostSettingsOf(host, inv.vars),
      runOnce: (step, n, compute) => this.runOnce(host, step, n, compute),
    });
    const summary = await runner.run();
    this.record(host, summary, summary.error?.message);
  }

  // The first host to reach a run_once step runs it; the rest wait for its result. Should it not finish
  // (unreachable, interrupted), the next host runs the step itself.
  private runOnce(
    host: string,
    step: Step,
    n: number,
    compute: () => Promise<Result>,
  ): Promise<{ result: Result; host: string }> {
    const mine = () => compute().then((result) => ({ result, host }));
    const byStep = this.once.get(step) ?? new Map<number, Promise<{ result: Result; host: string }>>();
    this.once.set(step, byStep);
    const first = byStep.get(n);
    if (first) return first.catch(mine);
    const p = mine();
    byStep.set(n, p);
    return p;
  }

  private record(host: string, s: RunSummary, error: string | undefined): void {
    const prev = this.results.get(host);
    const stats = prev ? addStats(prev.stats, s.stats) : { ...s.stats };
    this.results.set(host, { host, status: s.status, stats, error });
  }

  /** The host's target, connected once for the whole run (facts gathered then). */
  private target(play: Playbook, host: string): Promise<Target> {
    const inv = this.options.inventory.hosts.get(host)!;
    const conn = connectionOf(host, inv.vars);
    if (play.connection === "local" || conn.kind === "local") return Promise.resolve(localTarget());
    let t = this.targets.get(host);
    if (!t) {
      const ssh = sshHostOf(host, conn);
      this.sshHosts.set(host, ssh);
      t = connectSshTarget(this.options.transport, ssh, this.options.signal);
      this.targets.set(host, t);
    }
    return t;
  }

  /** Close every master connection. */
  async close(): Promise<void> {
    await this.options.transport.close([...this.sshHosts.values()]);
  }
}

// ansible_become on a host makes every step on it become (unless a step says otherwise).
function hostSettingsOf(host: string, vars: Record<string, unknown>): Settings {
  const c = connectionOf(host, vars);
  return c.become ? { become: true, becomeUser: c.becomeUser } : {};
}

function addStats(a: Stats, b: Stats): Stats {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof Stats)[]) out[k] += b[k];
  return out;
}

/** The fleet's verdict: interrupted over failed over unreachable over ok. */
function overall(hosts: HostSummary[]): HostStatus {
  for (const s of ["interrupted", "failed", "unreachable"] as const) if (hosts.some((h) => h.status === s)) return s;
  return "ok";
}
