import type { Playbook } from "../engine/load/model.js";
import { type PlanDocument, planDocument } from "../engine/plan/document.js";
import { planText, type TextStyle } from "../engine/plan/text.js";
import type { PlanEntry, RunOptions } from "../engine/run/types.js";
import { VERSION } from "../version.js";
import { type FleetCliOptions, fleetExitCode, openFleet } from "./fleet.js";

/** The JSON plan of a run with hosts: plan_version 2, one plan per host under `hosts[]`. */
export const FLEET_PLAN_VERSION = 2;

export interface FleetPlanDocument {
  plan_version: number;
  runbook_version: string;
  playbook: PlanDocument["playbook"];
  status: PlanDocument["status"];
  hosts: (Omit<PlanDocument, "plan_version" | "runbook_version" | "playbook"> & { host: string })[];
}

/** `runbook plan -i`: a plan per host (each host's own facts and vars); nothing is changed anywhere. */
export async function fleetPlan(
  pb: Playbook,
  opts: FleetCliOptions & { format?: "text" | "json" },
  runOpts: RunOptions,
  style: TextStyle,
  mask: (t: string) => string,
): Promise<number> {
  const entries = new Map<string, PlanEntry[]>();
  const fleet = openFleet(pb, opts, {
    ...runOpts,
    mode: "dry-run",
    collectErrors: true,
    onPlan: (e) => {
      const host = e.step.host ?? "";
      entries.set(host, [...(entries.get(host) ?? []), e]);
    },
  });
  try {
    const summary = await fleet.run("dry-run");
    const hosts = summary.hosts.map((h) => {
      const {
        plan_version: _v,
        runbook_version: _r,
        playbook: _p,
        ...doc
      } = planDocument(pb, entries.get(h.host) ?? [], {
        status: h.status,
        error: h.error,
        version: VERSION,
      });
      return { host: h.host, ...doc };
    });
    const doc: FleetPlanDocument = {
      plan_version: FLEET_PLAN_VERSION,
      runbook_version: VERSION,
      playbook: planDocument(pb, [], { status: "ok", version: VERSION }).playbook,
      status: summary.status,
      hosts,
    };
    const text =
      opts.format === "json"
        ? `${JSON.stringify(doc, null, 2)}\n`
        : hosts
            .map(({ host, ...h }) =>
              [
                style.bold(`== ${host} ==`),
                planText({ plan_version: 1, runbook_version: VERSION, playbook: doc.playbook, ...h }, style),
              ].join("\n"),
            )
            .join("\n");
    process.stdout.write(mask(text));
    return fleetExitCode(summary);
  } finally {
    await fleet.close();
  }
}
