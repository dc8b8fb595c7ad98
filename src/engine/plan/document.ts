import type { ChainLink } from "../events.js";
import type { Playbook } from "../load/model.js";
import type { PlanEntry } from "../run/types.js";
import { displayPath, formatLocation, type SourceLocation } from "../source.js";

/** Bump when a field of the JSON plan changes meaning or disappears (additions keep the version). */
export const PLAN_VERSION = 1;

export interface PlanStep {
  id: string;
  name: string;
  action: string;
  location: string | null;
  chain: { kind: ChainLink["kind"]; name: string; location: string | null }[];
  item: { index: number; label: string } | null;
  decision: "run" | "skip" | "runtime";
  reason: string | null;
  waits_for: { variable: string; from: string | null } | null;
  summary: string | null;
  command: string | null;
  diff: string | null;
  details: string[];
  /** true, false, or null when only the run can tell. */
  will_change: boolean | null;
  probe: boolean;
  handler: boolean;
  notifies: string[];
  tags: string[];
  args: unknown;
  data: Record<string, unknown> | null;
}

export interface PlanDocument {
  plan_version: number;
  runbook_version: string;
  playbook: { name: string; description: string; file: string };
  status: "ok" | "failed" | "interrupted" | "unreachable";
  error: string | null;
  summary: { steps: number; run: number; skip: number; runtime: number; will_change: number; unknown_change: number };
  steps: PlanStep[];
}

function loc(l: SourceLocation | undefined, cwd: string): string | null {
  return l ? formatLocation(l, cwd) : null;
}

// Keys sorted so the same inputs give byte-identical JSON whatever order objects were built in.
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Plan entries → the documented, versioned plan. Paths are shown relative to `cwd`. */
export function planDocument(
  pb: Playbook,
  entries: PlanEntry[],
  run: { status: PlanDocument["status"]; error?: string | undefined; version: string },
  cwd = process.cwd(),
): PlanDocument {
  const steps: PlanStep[] = entries.map((e) => ({
    id: e.step.id,
    name: e.step.name,
    action: e.step.action,
    location: loc(e.step.location, cwd),
    chain: e.step.chain.map((c) => ({
      kind: c.kind,
      name: c.kind === "include" ? displayPath(c.name, cwd) : c.name,
      location: loc(c.location, cwd),
    })),
    item: e.item ?? null,
    decision: e.decision,
    reason: e.reason ?? null,
    waits_for: e.waitsFor ? { variable: e.waitsFor.path, from: e.waitsFor.from ?? null } : null,
    summary: e.info?.summary ?? null,
    command: e.info?.command ?? null,
    diff: e.info?.diff ?? null,
    details: e.info?.details ?? [],
    will_change: e.decision === "run" ? (e.info?.willChange ?? null) : e.decision === "skip" ? false : null,
    probe: e.probe === true,
    handler: e.step.chain.some((c) => c.kind === "handler"),
    notifies: [...(e.notifies ?? [])].sort(),
    tags: [...new Set(e.tags ?? [])].sort(),
    args: e.args === undefined ? null : sortKeys(JSON.parse(JSON.stringify(e.args))),
    data: e.info?.data ? (sortKeys(JSON.parse(JSON.stringify(e.info.data))) as Record<string, unknown>) : null,
  }));
  const count = (d: PlanStep["decision"]) => steps.filter((s) => s.decision === d).length;
  return {
    plan_version: PLAN_VERSION,
    runbook_version: run.version,
    playbook: { name: pb.name, description: pb.description, file: displayPath(pb.file, cwd) },
    status: run.status,
    error: run.error ?? null,
    summary: {
      steps: steps.length,
      run: count("run"),
      skip: count("skip"),
      runtime: count("runtime"),
      will_change: steps.filter((s) => s.will_change === true).length,
      unknown_change: steps.filter((s) => s.decision !== "skip" && s.will_change === null && !s.probe).length,
    },
    steps,
  };
}
