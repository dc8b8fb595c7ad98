import type { RunEvent, StepRef } from "../events.js";
import { displayPath, formatLocation } from "../source.js";
import { failureLines, formatDuration, padStatus, printedLines, retryText, STATUS_WIDTH, skipText } from "./format.js";
import { GroupTracker, groupLabel, type LeftGroup } from "./groups.js";
import { LineSplitter } from "./lines.js";
import { plainRecap } from "./recap.js";
import { redactResult } from "./redact.js";
import { createStyle } from "./style.js";
import { StepTracker } from "./tree.js";
import type { Reporter, ReporterOptions } from "./types.js";
import { MaskedWriter, maskFn } from "./write.js";

type Ev<K extends RunEvent["kind"]> = Extract<RunEvent, { kind: K }>;

const DETAIL = " ".repeat(STATUS_WIDTH);

/**
 * One stable line per step for logs and CI: `ok      [3] Install istioctl (1.2s)`.
 * No colour, no cursor movement; a line is written once and never rewritten.
 */
export class PlainReporter implements Reporter {
  private readonly out: MaskedWriter;
  private readonly tracker = new StepTracker();
  private readonly headed = new Set<string>();
  private readonly groups = new GroupTracker();
  private readonly grouped = new Set<string>();
  private readonly splitter = new LineSplitter();
  private readonly style = createStyle(false);

  constructor(private readonly opts: ReporterOptions) {
    this.out = new MaskedWriter(opts.stream, maskFn(opts));
  }

  onEvent(e: RunEvent): void {
    switch (e.kind) {
      case "run-start":
        this.out.line(
          `run     ${e.playbook} (${displayPath(e.file)}) runbook ${e.version}${e.dryRun ? ", dry run" : ""}`,
        );
        return;
      case "step-start": {
        const parent = this.tracker.start(e.step);
        if (parent) this.head(parent);
        else {
          this.grouped.add(e.step.id);
          const { left, entered } = this.groups.enter(e.step.chain);
          this.groupLines(left);
          for (const g of entered) this.out.line(`${padStatus("start")} ${groupLabel(g)}`);
        }
        return;
      }
      case "item-start":
        this.head(e.step);
        return;
      case "item-end":
        this.itemEnd(e);
        return;
      case "step-end":
        this.stepEnd(e);
        return;
      case "retry":
        this.out.line(`${padStatus("retry")} [${e.step.id}] ${retryText(e).replace(/^retry /, "")}`);
        return;
      case "output":
        this.output(e);
        return;
      case "progress":
        if (this.opts.verbose) this.out.line(`${DETAIL}[${e.step.id}] ${e.message}${progressCount(e)}`);
        return;
      case "handler-notified":
        if (this.opts.verbose) this.out.line(`${padStatus("notify")} [${e.step.id}] ${e.handler}`);
        return;
      case "handlers-flush":
        this.groupLines(this.groups.leaveAll(false));
        this.out.line(`handlers ${e.handlers.join(", ")}`);
        return;
      case "warning":
        this.out.line(`warning ${e.location ? `${formatLocation(e.location)}: ` : ""}${e.message}`);
        return;
      case "run-end":
        for (const step of this.tracker.running().reverse()) {
          this.out.line(`${padStatus("stopped")} [${step.id}] ${step.name}`);
          if (this.grouped.delete(step.id)) this.groups.record("interrupted", 0);
        }
        // A run that ended ok went on past every failure inside the blocks still open: they were rescued.
        this.groupLines(this.groups.leaveAll(e.status === "ok"));
        this.out.line(plainRecap(e));
        return;
    }
  }

  close(): Promise<void> {
    return this.out.flush();
  }

  // A step with loop items or nested steps gets a line when its first child starts, so children read under it.
  private head(step: StepRef): void {
    if (this.headed.has(step.id)) return;
    this.headed.add(step.id);
    this.out.line(`${padStatus("start")} [${step.id}] ${step.name}`);
  }

  // A block, include or preset ends when a step outside it starts: its line says how it went.
  private groupLines(left: LeftGroup[]): void {
    for (const { group, status } of left) {
      this.out.line(`${padStatus(status)} ${groupLabel(group)} (${formatDuration(group.durationMs)})`);
    }
  }

  private itemEnd(e: Ev<"item-end">): void {
    const result = e.step.noLog ? redactResult(e.result) : e.result;
    const tail = e.status === "skipped" ? skipText(e.reason, result) : `(${formatDuration(e.durationMs)})`;
    this.out.line(`  ${padStatus(e.status)} [${e.step.id}] ${e.label} ${tail}`.trimEnd());
    this.out.lines(printedLines(e.step, result), `  ${DETAIL}`);
    if (e.status === "failed" || e.status === "ignored") this.out.lines(this.failure(e.step, result), `  ${DETAIL}`);
  }

  private stepEnd(e: Ev<"step-end">): void {
    this.flushOutput(e.step);
    this.tracker.end(e.step, e.status, e.durationMs);
    if (this.grouped.delete(e.step.id)) this.groups.record(e.status, e.durationMs);
    const result = e.step.noLog ? redactResult(e.result) : e.result;
    const tail = e.status === "skipped" ? skipText(e.reason, result) : `(${formatDuration(e.durationMs)})`;
    this.out.line(`${padStatus(e.status)} [${e.step.id}] ${e.step.name} ${tail}`.trimEnd());
    if (!Array.isArray(result.results)) this.out.lines(printedLines(e.step, result), DETAIL);
    // A looped step's failure is shown on its failed item; a block's on its failed step.
    const shownBelow = Array.isArray(result.results) || this.headed.has(e.step.id);
    if ((e.status === "failed" || e.status === "ignored") && !shownBelow)
      this.out.lines(this.failure(e.step, result), DETAIL);
  }

  private failure(step: StepRef, result: Record<string, unknown>): string[] {
    return failureLines(step, result, { verbose: this.opts.verbose, style: this.style });
  }

  // Output is shown only with -v, line by line, each line tagged with its step and stream.
  private output(e: Ev<"output">): void {
    if (!this.opts.verbose || e.step.noLog) return;
    const lines = this.splitter.push(`${e.step.id}\u0000${e.stream}`, e.chunk);
    this.out.lines(lines.map((l) => `${DETAIL}[${e.step.id}] ${e.stream === "stdout" ? "out" : "err"}: ${l}`));
  }

  private flushOutput(step: StepRef): void {
    for (const { key, lines } of this.splitter.flushPrefix(`${step.id}\u0000`)) {
      const tag = key.endsWith("stdout") ? "out" : "err";
      this.out.lines(lines.map((l) => `${DETAIL}[${step.id}] ${tag}: ${l}`));
    }
  }
}

function progressCount(e: Ev<"progress">): string {
  if (e.current === undefined) return "";
  return e.total === undefined ? ` (${e.current})` : ` (${e.current}/${e.total})`;
}
