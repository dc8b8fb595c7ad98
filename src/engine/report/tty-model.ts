import type { RunEvent, StepRef, StepStatus } from "../events.js";
import { retryText } from "./format.js";
import { LineSplitter, Tail } from "./lines.js";
import { redactResult } from "./redact.js";
import { StepTracker } from "./tree.js";

/** How many lines of a running step's output the live view shows. */
export const LIVE_LINES = 5;

/** The fastest a row's live lines are redrawn (about what a terminal spinner does). */
const REDRAW_MS = 50;

/** A list that grows while someone walks it: `at(i)` waits for entry i, or gets null once the list is closed. */
export class Chain<T> {
  private readonly slots: { promise: Promise<T | null>; resolve: (v: T | null) => void }[] = [];
  private closed = false;

  constructor() {
    this.slots.push(slot<T>());
  }

  push(item: T): void {
    if (this.closed) return;
    this.slots.at(-1)?.resolve(item);
    this.slots.push(slot<T>());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots.at(-1)?.resolve(null);
  }

  at(index: number): Promise<T | null> {
    return this.slots[index]?.promise ?? Promise.resolve(null);
  }
}

function slot<T>(): { promise: Promise<T | null>; resolve: (v: T | null) => void } {
  let resolve!: (v: T | null) => void;
  const promise = new Promise<T | null>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface RowEnd {
  status: StepStatus | "interrupted";
  durationMs?: number | undefined;
  reason?: string | undefined;
  result: Record<string, unknown>;
}

/** One line of the tree: a step or a loop item, with what the live view shows while it runs. */
export class Row {
  readonly children = new Chain<Row>();
  readonly live = new Tail(LIVE_LINES);
  retry: string | undefined;
  /** Output after the last newline: a prompt or a progress line still being written. */
  partial = "";
  progress: string | undefined;
  end: RowEnd | undefined;
  attempts = 1;
  hadFailedChild = false;
  private readonly kids: Row[] = [];
  private listener: (() => void) | undefined;
  private lastDrawn = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly kind: "step" | "item",
    readonly step: StepRef,
    readonly label: string,
  ) {}

  /** The view calls this once its task is running; state set before then is read on subscribe. */
  subscribe(fn: () => void): void {
    this.listener = fn;
  }

  changed(): void {
    this.lastDrawn = Date.now();
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.listener?.();
  }

  /**
   * For output and progress, which can come thousands of times a second: redraw at most every
   * REDRAW_MS, and once more after the last one so the latest line is always shown.
   */
  changedSoon(): void {
    if (this.pending) return;
    const wait = REDRAW_MS - (Date.now() - this.lastDrawn);
    if (wait <= 0) this.changed();
    else {
      this.pending = setTimeout(() => this.changed(), wait);
      this.pending.unref?.();
    }
  }

  addChild(row: Row): void {
    this.kids.push(row);
    this.children.push(row);
  }

  get childCount(): number {
    return this.kids.length;
  }

  finish(end: RowEnd): void {
    if (this.end) return;
    this.end = end;
    this.retry = undefined;
    this.progress = undefined;
    this.changed();
    this.children.close();
    // A child whose end never came would keep its parent's task list, and so the whole view, waiting.
    for (const kid of this.kids) kid.finish({ status: "interrupted", result: {} });
  }
}

export type RootEntry =
  | { kind: "row"; row: Row }
  | { kind: "text"; lines: string[] }
  | { kind: "run-end"; event: Extract<RunEvent, { kind: "run-end" }> };

/** The tree of rows built from events as they come; the listr2 view walks it at its own pace. */
export class TtyModel {
  readonly root = new Chain<RootEntry>();
  readonly tracker = new StepTracker();
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
        else this.root.push({ kind: "row", row });
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
      this.rows.get(step.id)?.finish({ status: "interrupted", result: {} });
    }
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
