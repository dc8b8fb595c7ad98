import {
  DefaultRenderer,
  ListrDefaultRendererLogLevels as Level,
  Listr,
  ListrLogger,
  type ListrTask,
  type ListrTaskWrapper,
  ProcessOutput,
} from "listr2";
import { InternalError } from "../errors.js";
import type { RunEvent } from "../events.js";
import { displayPath, formatLocation } from "../source.js";
import { failureLines, formatDuration, printedLines, skipText } from "./format.js";
import { ttyRecap } from "./recap.js";
import { createStyle, paintStatus, type Style } from "./style.js";
import { type RootEntry, TtyModel } from "./tty-model.js";
import { LIVE_LINES, type Row } from "./tty-row.js";
import type { Reporter, ReporterOptions } from "./types.js";
import { MaskedWriter, maskFn } from "./write.js";

/** listr2 picks a fallback renderer when process.stdout is not a terminal; the output mode was chosen already. */
class ForcedRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

type Task = ListrTask<unknown, typeof ForcedRenderer, typeof ForcedRenderer>;
type Wrapper = ListrTaskWrapper<unknown, typeof ForcedRenderer, typeof ForcedRenderer>;

export interface TtyViewOptions {
  /** Redraw only on events, without a spinner (deterministic frames for tests). Default: when the stream is no terminal. */
  lazy?: boolean | undefined;
}

/**
 * The live tree: each top-level step is a listr2 task list drawn until it ends, then left
 * in the scrollback; nested steps and loop items are subtasks that appear as their events arrive.
 */
export class TtyReporter implements Reporter {
  private readonly model = new TtyModel();
  private readonly style: Style;
  private readonly out: MaskedWriter;
  private readonly mask: (text: string) => string;
  private readonly driver: Promise<void>;
  private readonly lazy: boolean;
  private ended = false;
  private broken: unknown;

  constructor(
    private readonly opts: ReporterOptions,
    view: TtyViewOptions = {},
  ) {
    this.style = createStyle(opts.color);
    this.mask = maskFn(opts);
    this.out = new MaskedWriter(opts.stream, this.mask);
    this.lazy = view.lazy ?? opts.stream.isTTY !== true;
    // Held until close(): a rejection left unobserved until then would kill the process.
    this.driver = this.drive().catch((err: unknown) => {
      this.broken = err;
    });
  }

  onEvent(e: RunEvent): void {
    const { style } = this;
    switch (e.kind) {
      case "run-start": {
        const mode = e.dryRun ? style.yellow("  dry run") : "";
        this.text(`${style.bold(e.playbook)}  ${style.dim(displayPath(e.file))}${mode}`);
        return;
      }
      case "handlers-flush":
        this.model.leaveGroups(false);
        this.text(style.bold(`Handlers: ${e.handlers.join(", ")}`));
        return;
      case "warning": {
        const where = e.location ? `${formatLocation(e.location)}: ` : "";
        this.text(style.yellow(`warning: ${where}${e.message}`));
        return;
      }
      case "run-end":
        this.ended = true;
        this.model.interruptOpen();
        // A run that ended ok went on past every failure inside the blocks still open: they were rescued.
        this.model.leaveGroups(e.status === "ok");
        this.model.root.push({ kind: "run-end", event: e });
        this.model.root.close();
        return;
      default:
        this.model.handle(e);
    }
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.model.interruptOpen();
      this.model.leaveGroups(false);
      this.model.root.close();
    }
    await this.driver;
    await this.out.flush();
    if (this.broken !== undefined) throw new InternalError("the tty reporter failed", { cause: this.broken });
  }

  private text(...lines: string[]): void {
    this.model.root.push({ kind: "text", lines });
  }

  // Walks the top level in order: text is written directly, each step gets its own listr2 run.
  private async drive(): Promise<void> {
    for (let i = 0; ; i++) {
      const entry: RootEntry | null = await this.model.root.at(i);
      if (!entry) return;
      if (entry.kind === "text") this.out.lines(entry.lines);
      else if (entry.kind === "run-end") {
        this.out.line();
        this.out.lines(ttyRecap(entry.event, this.model.tracker.slowest(3), this.style));
      } else await this.listr([this.task(entry.row)]).run();
    }
  }

  private listr(tasks: Task[]): Listr<unknown, typeof ForcedRenderer, typeof ForcedRenderer> {
    const st = this.style;
    const s = Object.fromEntries(
      (["green", "yellow", "red", "cyan", "dim"] as const).map((c) => [c, (t?: string) => st[c](t ?? "")]),
    ) as Record<"green" | "yellow" | "red" | "cyan" | "dim", (t?: string) => string>;
    // listr2 only reads write/columns/rows/isTTY from these, which every OutputStream we are given has.
    const stream = this.opts.stream as NodeJS.WriteStream;
    const logger = new ListrLogger({
      useIcons: true,
      processOutput: new ProcessOutput(stream, stream, { leaveEmptyLine: false }),
    });
    const options = {
      lazy: this.lazy,
      logger,
      collapseSubtasks: false,
      collapseErrors: false,
      showErrorMessage: true,
      collapseSkips: true,
      showSkipMessage: true,
      suffixRetries: false,
      color: {
        [Level.COMPLETED]: s.green,
        [Level.COMPLETED_WITH_FAILED_SUBTASKS]: s.yellow,
        [Level.FAILED]: s.red,
        [Level.SKIPPED_WITH_COLLAPSE]: s.cyan,
        [Level.SKIPPED_WITHOUT_COLLAPSE]: s.cyan,
        [Level.PENDING]: s.yellow,
        [Level.WAITING]: s.dim,
        [Level.OUTPUT]: s.dim,
        [Level.CANCELLED]: s.red,
      },
    };
    return new Listr<unknown, typeof ForcedRenderer, typeof ForcedRenderer>(tasks, {
      renderer: ForcedRenderer,
      rendererOptions: options,
      fallbackRenderer: ForcedRenderer,
      fallbackRendererOptions: options,
      exitOnError: false,
      registerSignalListeners: false,
    });
  }

  private task(row: Row): Task {
    return {
      title: this.title(row),
      rendererOptions: { persistentOutput: true },
      task: async (_ctx, task) => {
        let shown: string | null = null;
        const sync = () => {
          task.title = this.title(row);
          const text = this.outputOf(row);
          if (text !== shown) task.output = text;
          shown = text;
        };
        row.subscribe(sync);
        sync();
        const first = await row.children.at(0);
        if (first) return task.newListr([this.task(first), this.slot(row, 1)], { concurrent: true });
        return this.finishLeaf(row, task);
      },
    };
  }

  // An untitled link in the chain of a row's children: waits for the next child, draws it and the next link.
  private slot(row: Row, index: number): Task {
    return {
      task: async (_ctx, task) => {
        const next = await row.children.at(index);
        if (next) return task.newListr([this.task(next), this.slot(row, index + 1)], { concurrent: true });
      },
    };
  }

  private finishLeaf(row: Row, task: Wrapper): void {
    const end = row.end;
    if (!end) return;
    if (end.status === "skipped") {
      task.skip(this.title(row));
      return;
    }
    if (end.status === "failed" || end.status === "ignored" || end.status === "interrupted") {
      task.output = null;
      const lines = end.status === "interrupted" ? ["stopped before it finished"] : this.failure(row);
      throw new Error(this.mask(lines.join("\n")));
    }
  }

  private failure(row: Row): string[] {
    return failureLines(row.step, row.end?.result ?? {}, { verbose: this.opts.verbose, style: this.style });
  }

  private title(row: Row): string {
    const s = this.style;
    const end = row.end;
    if (!end) return this.mask(row.label);
    const parts = [row.label, paintStatus(s, end.status)];
    if (end.status === "skipped") parts.push(s.dim(skipText(end.reason, end.result)));
    else if (end.durationMs !== undefined) parts.push(s.dim(formatDuration(end.durationMs)));
    if (row.attempts > 1) parts.push(s.dim(`(${row.attempts} attempts)`));
    return this.mask(parts.filter(Boolean).join(" "));
  }

  // A live line longer than the terminal would wrap and push the tree around: cut it instead.
  private fit(line: string, row: Row): string {
    const width = (this.opts.stream.columns ?? 80) - 2 * (row.step.depth + (row.kind === "item" ? 1 : 0)) - 6;
    return line.length > width ? `${line.slice(0, Math.max(10, width - 1))}…` : line;
  }

  // Running: the latest retry, progress and the last lines of output. Ended: nothing, unless a
  // step with children failed without a failed child to show why.
  private outputOf(row: Row): string | null {
    const s = this.style;
    const end = row.end;
    if (end) {
      const unexplained = (end.status === "failed" || end.status === "ignored") && !row.hadFailedChild;
      if (unexplained && row.kind === "step" && row.childCount > 0) return this.mask(this.failure(row).join("\n"));
      const printed = row.kind === "group" ? [] : printedLines(row.step, end.result);
      return printed.length > 0 && row.childCount === 0 ? this.mask(printed.join("\n")) : null;
    }
    const lines = [
      ...(row.retry ? [s.yellow(row.retry)] : []),
      ...(row.progress ? [row.progress] : []),
      ...[...row.live.all, row.partial]
        .filter((l, i, all) => l !== "" || i < all.length - 1)
        .slice(-LIVE_LINES)
        .map((l) => s.dim(this.fit(l, row))),
    ];
    return lines.length > 0 ? this.mask(lines.join("\n")) : null;
  }
}
