import { EVENTS_VERSION, type RunEvent } from "../events.js";
import { maskDeep } from "../secrets.js";
import { redactResult } from "./redact.js";
import type { Reporter, ReporterOptions } from "./types.js";
import { MaskedWriter, maskFn } from "./write.js";

/**
 * JSON lines: one event per line, each with `v` (EVENTS_VERSION) and `time` (ISO 8601).
 * Every event is written; output chunks only with -v. close() resolves once the stream has taken them all.
 */
export class JsonReporter implements Reporter {
  private readonly out: MaskedWriter;
  private readonly now: () => number;
  private readonly mask: (text: string) => string;

  constructor(private readonly opts: ReporterOptions) {
    // Masking happens on the values, not the serialised line, so escaping cannot hide a secret from the mask.
    this.out = new MaskedWriter(opts.stream, (text) => text);
    this.mask = maskFn(opts);
    this.now = opts.now ?? Date.now;
  }

  onEvent(e: RunEvent): void {
    if (e.kind === "output" && (!this.opts.verbose || e.step.noLog)) return;
    const event = redactEvent(e);
    const line = { v: EVENTS_VERSION, time: new Date(this.now()).toISOString(), ...event };
    this.out.line(JSON.stringify(maskDeep(line, this.mask)));
  }

  close(): Promise<void> {
    return this.out.flush();
  }
}

function redactEvent(e: RunEvent): RunEvent {
  if ((e.kind === "step-end" || e.kind === "item-end") && e.step.noLog) return { ...e, result: redactResult(e.result) };
  return e;
}
