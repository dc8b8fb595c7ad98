import type { ChainLink, StepStatus } from "../events.js";
import { displayPath } from "../source.js";

/** A block, include or preset whose steps are running: the engine sends no event of its own for it. */
export interface Group {
  key: string;
  link: ChainLink;
  /** How many groups it is inside. */
  level: number;
  statuses: (StepStatus | "interrupted")[];
  durationMs: number;
}

export type GroupStatus = StepStatus | "interrupted";

/** A group that was left, and what it ended as. */
export interface LeftGroup {
  group: Group;
  status: GroupStatus;
}

/**
 * Follows the `chain` of each step to know which blocks, includes and presets are entered and left.
 * Handler links are left out: the handlers header already says what runs.
 */
export class GroupTracker {
  private readonly open: Group[] = [];

  /** The groups left (innermost first) and entered (outermost first) on the way to a step's chain. */
  enter(chain: ChainLink[]): { left: LeftGroup[]; entered: Group[] } {
    const links = chain.filter((c) => c.kind !== "handler");
    let same = 0;
    while (same < this.open.length && same < links.length && this.open[same]?.key === keyOf(links, same)) same++;
    const left = this.leave(this.open.length - same, true);
    const entered: Group[] = [];
    for (let i = same; i < links.length; i++) {
      const link = links[i];
      if (!link) continue;
      const group: Group = { key: keyOf(links, i), link, level: i, statuses: [], durationMs: 0 };
      this.open.push(group);
      entered.push(group);
    }
    return { left, entered };
  }

  /** Leave every open group, innermost first: the run ended (went on = false) or handlers start. */
  leaveAll(runWentOn: boolean): LeftGroup[] {
    return this.leave(this.open.length, runWentOn);
  }

  /** A step ended: it counts in the innermost group, which counts in its parent when it is left. */
  record(status: GroupStatus, durationMs: number): void {
    const g = this.open.at(-1);
    if (!g) return;
    g.statuses.push(status);
    g.durationMs += durationMs;
  }

  private leave(n: number, runWentOn: boolean): LeftGroup[] {
    const left: LeftGroup[] = [];
    for (let i = 0; i < n; i++) {
      const group = this.open.pop();
      if (!group) break;
      const status = groupStatus(group, runWentOn);
      left.push({ group, status });
      this.record(status, group.durationMs);
    }
    return left;
  }
}

function keyOf(links: ChainLink[], i: number): string {
  return links
    .slice(0, i + 1)
    .map((c) => `${c.kind}:${c.name}:${c.location?.file ?? ""}:${c.location?.line ?? ""}:${c.location?.col ?? ""}`)
    .join("/");
}

/**
 * What a group ended as. A step that failed inside a block, when the run went on after the
 * block, was rescued: that is the only way past a failure. Otherwise the worst of its steps.
 */
export function groupStatus(g: Group, runWentOn: boolean): GroupStatus {
  const s = new Set(g.statuses);
  if (s.has("failed")) return runWentOn ? "rescued" : "failed";
  if (s.has("interrupted")) return "interrupted";
  if (s.has("changed") || s.has("rescued")) return "changed";
  if (s.has("ok") || s.has("ignored")) return "ok";
  return s.size > 0 ? "skipped" : "ok";
}

/** `block Upgrade control plane`, `include tasks/mesh.yml`, `preset istio`. */
export function groupLabel(g: Group): string {
  return `${g.link.kind} ${g.link.kind === "include" ? displayPath(g.link.name) : g.link.name}`;
}
