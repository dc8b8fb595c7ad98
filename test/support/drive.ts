import type { RunEvent } from "../../src/engine/events.js";
import { createReporter, type OutputMode, SecretMasker } from "../../src/engine/report/index.js";
import type { TtyViewOptions } from "../../src/engine/report/tty.js";
import { TtyReporter } from "../../src/engine/report/tty.js";
import type { ReporterOptions } from "../../src/engine/report/types.js";
import { CaptureStream } from "./capture.js";
import { FIXTURE_VARS, fixtureRun } from "./fixture-run.js";

/** A clock that moves one second per reading from a fixed instant: deterministic `time` fields. */
export function steppingClock(start = Date.UTC(2026, 0, 2, 3, 4, 5)): () => number {
  let n = 0;
  return () => start + 1000 * n++;
}

export interface DriveOptions extends Partial<Omit<ReporterOptions, "mode" | "stream">> {
  events?: RunEvent[];
  /** Let the reporter draw between events (the tty view walks the events asynchronously). */
  yieldBetween?: boolean;
  stream?: CaptureStream;
  view?: TtyViewOptions;
  /** Called after each event is fed (e.g. to wait until something was drawn). */
  afterEach?: (e: RunEvent, stream: CaptureStream) => Promise<void>;
}

/** Wait until a condition holds: for what a reporter draws asynchronously. Fails after `ms`, never asserts on time. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Feed a run's events to a reporter writing into a capture stream, then close it. */
export async function drive(mode: OutputMode, opts: DriveOptions = {}): Promise<CaptureStream> {
  const stream = opts.stream ?? new CaptureStream({ isTTY: mode === "tty" });
  const options: ReporterOptions = {
    mode,
    stream,
    verbose: opts.verbose ?? false,
    color: opts.color ?? false,
    showSecrets: opts.showSecrets ?? false,
    masker: opts.masker ?? new SecretMasker(FIXTURE_VARS),
    now: opts.now ?? steppingClock(),
  };
  // Tests draw the tree without a spinner so that frames depend on events only.
  const reporter = mode === "tty" ? new TtyReporter(options, { lazy: true, ...opts.view }) : createReporter(options);
  for (const e of opts.events ?? fixtureRun()) {
    reporter.onEvent(e);
    if (opts.yieldBetween) await new Promise((r) => setTimeout(r, 5));
    await opts.afterEach?.(e, stream);
  }
  await reporter.close();
  return stream;
}
