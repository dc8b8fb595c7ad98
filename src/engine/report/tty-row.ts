import type { StepRef, StepStatus } from "../events.js";
import { Tail } from "./lines.js";

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
    /** A group is a block, include or preset: the engine has no step for it, the chain names it. */
    readonly kind: "step" | "item" | "group",
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
