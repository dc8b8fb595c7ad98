import type { RunEvent, StepRef } from "../events.js";
import { retryText } from "./format.js";
import { type Group, GroupTracker, groupLabel, type LeftGroup } from "./groups.js";
import { LineSplitter } from "./lines.js";
import { redactResult } from "./redact.js";
import { StepTracker } from "./tree.js";
import { Chain, Row } from "./tty-row.js";

export type RootEntry =
  | { kind: "row"; row: Row }
  | { kind: "text"; lines: string[] }
  | { kind: "run-end"; event: Extract<RunEvent, { kind: "run-end" }> };

/** The tree of rows built from events as they come; the listr2 view walks it at its own pace. */
export class TtyModel {
  readonly root = new Chain<RootEntry>();
  readonly tracker = new StepTracker();
  private readonly groups = new GroupTracker();
  private readonly groupRows: Row[] = [];
  private readonly grouped = new Set<string>();
  private readonly rows = new Map<string, Row>();
  private readonly items = new Map<string, Row>();
  private readonly splitter = new LineSplitter();

  handle(e: RunEvent): void {
    switch (e.kind) {
      case "step-start": {
        const row = new Row("step", e.step, e.step.name);
        this.rows.set(e.step.id, row);
        const parent = this.tracker.start(e.step);
        const parentRow = parent && this.rows.get(parent.id);
        if (parentRow) parentRow.addChild(row);
        else {
          this.grouped.add(e.step.id);
          this.place(row, this.enterGroups(e.step));
        }
        return;
      }
      case "item-start": {
        const item = new Row("item", e.step, e.label);
        this.items.set(e.step.id, item);
        this.rows.get(e.step.id)?.addChild(item);
        return;
      }
      case "item-end": {
        const item = this.items.get(e.step.id);
        const result = e.step.noLog ? redactResult(e.result) : e.result;
        if (e.status === "failed" || e.status === "ignored") this.markFailedChild(e.step, true);
        item?.finish({ status: e.status, durationMs: e.durationMs, reason: e.reason, result });
        return;
      }
      case "step-end": {
        this.splitter.flushPrefix(`${e.step.id}\u0000`);
        this.tracker.end(e.step, e.status, e.durationMs);
        const result = e.step.noLog ? redactResult(e.result) : e.result;
        const row = this.rows.get(e.step.id);
        if (row && typeof result.attempts === "number") row.attempts = result.attempts;
        if (e.status === "failed" || e.status === "ignored") this.markFailedChild(e.step, false);
        if (this.grouped.delete(e.step.id)) this.groups.record(e.status, e.durationMs);
        row?.finish({ status: e.status, durationMs: e.durationMs, reason: e.reason, result });
        return;
      }
      case "retry":
        for (const row of this.current(e.step)) {
          row.retry = retryText(e);
          row.attempts = e.attempt + 1;
          row.changed();
        }
        return;
      case "output": {
        if (e.step.noLog) return;
        const key = `${e.step.id}\u0000${e.stream}`;
        const lines = this.splitter.push(key, e.chunk);
        for (const row of this.current(e.step)) {
          row.live.add(lines);
          row.partial = this.splitter.peek(key);
          row.changedSoon();
        }
        return;
      }
      case "progress":
        for (const row of this.current(e.step)) {
          row.progress = e.total === undefined ? e.message : `${e.message} (${e.current ?? 0}/${e.total})`;
          row.changedSoon();
        }
        return;
      default:
        return;
    }
  }

  /** Finish every row still running (run interrupted, or the reporter closed early). */
  interruptOpen(): void {
    for (const step of this.tracker.running().reverse()) {
      const item = this.items.get(step.id);
      if (item && !item.end) item.finish({ status: "interrupted", result: {} });
      this.tracker.end(step, "failed", 0);
      if (this.grouped.delete(step.id)) this.groups.record("interrupted", 0);
      this.rows.get(step.id)?.finish({ status: "interrupted", result: {} });
    }
  }

  /** Leave every block, include and preset: before handlers, and at the end of the run (went on when it ended ok). */
  leaveGroups(runWentOn: boolean): void {
    this.finishGroups(this.groups.leaveAll(runWentOn));
  }

  // A step's chain says which blocks, includes and presets it is in: rows for those entered, ends for those left.
  private enterGroups(step: StepRef): Row | undefined {
    const { left, entered } = this.groups.enter(step.chain);
    this.finishGroups(left);
    for (const g of entered) this.place(groupRow(g), this.groupRows.at(-1));
    return this.groupRows.at(-1);
  }

  private finishGroups(left: LeftGroup[]): void {
    for (const { group, status } of left) {
      const row = this.groupRows.pop();
      row?.finish({ status, durationMs: group.durationMs, result: {} });
    }
  }

  private place(row: Row, parent: Row | undefined): void {
    if (row.kind === "group") this.groupRows.push(row);
    if (parent) parent.addChild(row);
    else this.root.push({ kind: "row", row });
  }

  // Live updates go to the step and to its running loop item, which is where the eye is.
  private current(step: StepRef): Row[] {
    const row = this.rows.get(step.id);
    const item = this.items.get(step.id);
    return [row, item && !item.end ? item : undefined].filter((r): r is Row => r !== undefined);
  }

  // The rows above a failure already shown (on a loop item or a nested step) need not repeat it.
  private markFailedChild(step: StepRef, itself: boolean): void {
    const row = this.rows.get(step.id);
    if (row && itself) row.hadFailedChild = true;
    for (const parent of this.tracker.running()) {
      if (parent.depth < step.depth) {
        const p = this.rows.get(parent.id);
        if (p) p.hadFailedChild = true;
      }
    }
  }
}

function groupRow(g: Group): Row {
  const label = groupLabel(g);
  const ref: StepRef = {
    id: g.key,
    name: label,
    action: g.link.kind,
    location: g.link.location,
    chain: [],
    depth: g.level,
  };
  return new Row("group", ref, label);
}
