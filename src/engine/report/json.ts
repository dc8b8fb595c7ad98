import { EVENTS_VERSION, type RunEvent } from "../events.js";
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

// Results are the user's data: make them JSON-safe (bigint, Date, cycles) so that no event is ever lost to a throw.
function maskDeep(value: unknown, mask: (text: string) => string, seen = new Set<object>()): unknown {
  if (typeof value === "string") return mask(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if ("toJSON" in value && typeof value.toJSON === "function") return maskDeep(value.toJSON(), mask, seen);
  seen.add(value);
  const out = Array.isArray(value)
    ? value.map((v) => maskDeep(v, mask, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask, seen)]));
  seen.delete(value);
  return out;
}
