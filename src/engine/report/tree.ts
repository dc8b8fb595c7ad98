import type { StepRef, StepStatus } from "../events.js";

export interface EndedStep {
  step: StepRef;
  status: StepStatus;
  durationMs: number;
}

/**
 * Which step is inside which, from the order of step-start/step-end and each step's depth:
 * a step's parent is the innermost open step that is shallower than it.
 */
export class StepTracker {
  private readonly open: StepRef[] = [];
  private readonly parents = new Set<string>();
  private readonly ended: EndedStep[] = [];

  /** Record a start; returns the step it is nested in, if any. */
  start(step: StepRef): StepRef | undefined {
    const parent = this.open.findLast((s) => s.depth < step.depth);
    if (parent) this.parents.add(parent.id);
    this.open.push(step);
    return parent;
  }

  end(step: StepRef, status: StepStatus, durationMs: number): void {
    const i = this.open.findLastIndex((s) => s.id === step.id);
    if (i >= 0) this.open.splice(i, 1);
    this.ended.push({ step, status, durationMs });
  }

  /** Steps started and not yet ended, outermost first. */
  running(): StepRef[] {
    return [...this.open];
  }

  /** The slowest steps that did the work themselves (blocks and includes are left out: they contain the others). */
  slowest(n: number): EndedStep[] {
    return this.ended
      .filter((e) => !this.parents.has(e.step.id) && e.status !== "skipped")
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, n);
  }
}
